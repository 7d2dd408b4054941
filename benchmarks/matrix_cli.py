"""The command line of the benchmarks that measure one Blender per run and tabulate several runs
(colour_management_matrix.py, colour_override_matrix.py):

    --json FILE          measure in this Blender, write the results to FILE, print its table
    --table FILE...      print the table of result files measured in several versions
    --summary FILE...    print the docs' table of those files
"""

from __future__ import annotations

import argparse
import json
import tempfile
from typing import Callable


def main(argv: list[str], description: str, measure: Callable[[str], dict],
         table: Callable[[list[dict]], str], summary: Callable[[list[dict]], str]) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", help="measure in this Blender and write the results here")
    parser.add_argument("--table", nargs="+", help="print the table of these result files")
    parser.add_argument("--summary", nargs="+", help="print the docs' table of these files")
    args = parser.parse_args(argv)
    if args.summary or args.table:
        runs = [_read(path) for path in args.summary or args.table]
        print(summary(runs) if args.summary else table(runs))
        return 0
    with tempfile.TemporaryDirectory() as work:
        found = measure(work)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(found, indent=1))
    print(table([found]))
    return 0


def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
