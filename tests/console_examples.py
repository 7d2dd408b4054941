"""The console examples of README.md and docs/*.md, run for real (tests/unit/test_doc_console.py
runs the plain ones, tests/blender/test_doc_console_blender.py the ones that need Blender).

The convention, for whoever writes docs:

- A ```console block is run by the tests. Each `$ nodescript ARGS  # comment` line is a command
  (split like a shell would, the comment dropped); the lines after it, up to the next `$`, are
  its output (stdout and stderr together, as a terminal shows them) and must match exactly.
- ```console blender marks a block that needs bpy (apply, export, render, lint SCENE.blend); the
  Blender tests run it in each version. ```console blender 5.0 shows what Blender 5.0 prints
  and runs in that version only (for output that differs between versions, such as the
  channels of a rendered EXR). Plain ```console blocks must not need bpy.
- Every block starts in a new empty folder holding a copy of `examples/` and of the files under
  `docs/examples/` (the `shot.nodes`, `shots/` ... that examples refer to); a blender block's
  folder also has `scene.blend` and `truth.npy` from scripts/make_example_scene.py. Commands of
  one block run one after the other in that folder, so a later one sees what an earlier wrote.
- Compared after normalising what differs from run to run: the folder's path, Blender's version
  (`Blender 4.5.15` and `Blender 5.0.1` both read `Blender 5.0.1`, `Blender 4.5` reads
  `Blender 5.0`), durations (`0.09 s`) and byte counts (`(13,024 bytes)`); Blender's own
  `Error: Not freed memory blocks` line at exit is dropped. A line that is just `...` stands for
  any number of lines (for long output: `nodescript rule NS201`), and `...` inside a line for
  any text within it (`applied ... changes`: the count differs between versions).
- A block whose output the reader should not take literally (abridged, invented files) is
  ```text, not ```console.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FIXTURES = ROOT / "docs" / "examples"
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\S*)\s*(.*)$")
WILDCARD = "..."
PROGRAM = "from nodescript.cli import main; main(prog_name='nodescript')"   # as installed
BLENDER_NOISE = re.compile(r"^Error: Not freed memory blocks: .*$\n?", re.M)   # bpy 4.x at exit

# (pattern, replacement) applied to expected and actual output alike.
NORMALISE = [
    (re.compile(r"\bBlender \d+\.\d+\.\d+( LTS)?"), "Blender X.Y.Z"),
    (re.compile(r"\bBlender \d+\.\d+\b"), "Blender X.Y"),
    (re.compile(r"\b\d+(\.\d+)? s\b"), "N s"),
    (re.compile(r"\([\d,]+ bytes\)"), "(N bytes)"),
]


@dataclass
class Command:
    doc: Path
    line: int                   # 1-based line of the `$` in the doc
    text: str                   # what follows `$ `
    expected: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


@dataclass
class Block:
    doc: Path
    line: int
    blender: bool
    versions: list[str]         # `console blender 5.0`: only there; empty: every version
    commands: list[Command]

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def console_blocks(doc: Path) -> list[Block]:
    """The ```console blocks of a Markdown file."""
    blocks, lines, i = [], doc.read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        match = FENCE.match(lines[i].strip())
        i += 1
        if match is None:
            continue
        fence, lang, rest = match.groups()
        body_start = i
        while i < len(lines) and lines[i].strip() != fence:
            i += 1
        if lang == "console":
            words = rest.split()
            blender = words[:1] == ["blender"]
            blocks.append(Block(doc, body_start, blender, words[1:] if blender else [],
                                _commands(doc, body_start, lines[body_start:i])))
        i += 1
    return blocks


def _commands(doc: Path, first_line: int, body: list[str]) -> list[Command]:
    commands: list[Command] = []
    for number, line in enumerate(body, start=first_line + 1):
        if line.startswith("$ "):
            commands.append(Command(doc, number, line[2:]))
        elif commands:
            commands[-1].expected.append(line)
        elif line.strip():
            raise ValueError(f"{doc.relative_to(ROOT)}:{number}: output before any `$` command")
    return commands


def all_blocks() -> list[Block]:
    return [block for doc in DOC_FILES for block in console_blocks(doc)]


# --- running --------------------------------------------------------------------------------

def prepare_folder(folder: Path) -> None:
    shutil.copytree(ROOT / "examples", folder / "examples",
                    ignore=shutil.ignore_patterns("out", "*.blend", "*.blend1"))
    if FIXTURES.is_dir():
        shutil.copytree(FIXTURES, folder, dirs_exist_ok=True)


def make_blender_files(folder: Path) -> None:
    """scene.blend and truth.npy of the example scene, made by this Python's bpy."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_example_scene.py"),
                    str(folder / "scene.blend"), "--truth", str(folder / "truth.npy")],
                   check=True, capture_output=True, cwd=folder)


def run(command: Command, folder: Path) -> str:
    args = shlex.split(command.text, comments=True)
    if not args or args[0] != "nodescript":
        raise AssertionError(f"{command.where}: console examples run `nodescript ...` only, "
                             f"not `{command.text}`")
    # This checkout first; unbuffered, so stdout and stderr interleave as in a terminal.
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path, PYTHONUNBUFFERED="1", COLUMNS="100", NO_COLOR="1")
    done = subprocess.run([sys.executable, "-c", PROGRAM, *args[1:]], cwd=folder, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    return done.stdout


def normalise(text: str, folder: Path) -> list[str]:
    text = BLENDER_NOISE.sub("", text)
    for path in {str(folder), str(folder.resolve())}:
        text = text.replace(path + os.sep, "").replace(path, ".")
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: list[str], actual: list[str]) -> bool:
    def line_pattern(line: str) -> str:
        if line == WILDCARD:
            return r"(?:[^\n]*\n)*?"
        return r"[^\n]*?".join(re.escape(part) for part in line.split(WILDCARD)) + r"\n"

    pattern = "".join(line_pattern(line) for line in expected)
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


def check(command: Command, folder: Path) -> None:
    """Run one command; raise AssertionError showing the doc's text next to the real output."""
    actual = normalise(run(command, folder), folder)
    expected = normalise("\n".join(command.expected), folder)
    if matches(expected, actual):
        return
    diff = "\n".join(difflib.unified_diff(expected, actual, f"{command.where} (the doc)",
                                          "what the command printed", lineterm=""))
    raise AssertionError(
        f"\n{command.where}: `$ {command.text}` prints something else than the doc shows "
        f"(after normalising paths, versions, durations and sizes; `...` lines match anything)."
        f"\n\n{diff}\n\n--- the doc shows:\n" + "\n".join(expected)
        + "\n--- the command printed:\n" + "\n".join(actual)
        + "\n\nIf the new output is right, paste it into the doc.")


def run_block(block: Block, folder: Path) -> None:
    prepare_folder(folder)
    if block.blender:
        make_blender_files(folder)
    for command in block.commands:
        check(command, folder)
