"""The test tree has no packages (no __init__.py), so pytest imports each test module by its
basename: two files of one name anywhere under tests/ stop the whole collection ("import file
mismatch"), in CI's Blender runs first of all."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_no_two_test_modules_share_a_name():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [n for n, count in names.items() if count > 1] == []
