"""Coverage-guided fuzzing of lint, fmt and graph with atheris (libFuzzer), on the properties of
tests/fuzz/properties.py. Run it for a while, seeded with the examples and the corpus:

    python tests/fuzz/atheris_target.py -max_total_time=600 tests/fuzz/corpus examples

libFuzzer writes an input that fails as ./crash-<hash>: copy it into tests/fuzz/corpus/ (any
name) so tests/unit/test_fuzz_corpus.py keeps it as a regression test. The test suite runs this
target for a few seconds (test_fuzz_corpus.py::test_atheris_runs_clean).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from tests.fuzz.properties import check_input


def one_input(data: bytes) -> None:
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        return                      # files are read as UTF-8 (tested in test_hostile.py)
    check_input(source)


if __name__ == "__main__":
    sys.setrecursionlimit(1000)     # what a user's Python has: deep recursion must not be needed
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
