"""No input reaches the user as a Python traceback: random and mutated files give clean
diagnostics, and fmt keeps their meaning and comments (property-based; the coverage-guided
target is tests/fuzz/atheris_target.py, inputs that once failed are in tests/fuzz/corpus)."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.properties import check_input

EXAMPLES = [p.read_text() for p in sorted((Path(__file__).parents[2] / "examples").glob("*.nodes"))]
TOKENS = ["rl", "out", "=", "->", ".", "(", ")", "[", "]", "{", "}", ",", ":", "as", "scene", "group",
          "target", "use", '"4.2"', "..", '"x"', "0", "-1.5e3", "true", "_", "Depth", "RenderLayers",
          "FileOutput", "MapValue", "Math", "Blur", "Composite", "format", "exr", "depth", "32",
          "passes", "[depth]", "inputs", "# c", "\n", " ", '"Object Index"', "Group", "Frame",
          "\f", "\u2028", "\x85", "# nodescript: ignore[NS301]", "9" * 320, "[[[[", "))))"]

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_clean(source: str) -> None:
    """lint, fmt (meaning and comments kept, idempotent) and graph: tests/fuzz/properties.py."""
    check_input(source)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup(source):
    check_clean(source)


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text(source):
    check_clean(source)


@SETTINGS
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_examples(example, data):
    words = example.split(" ")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(words) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "token"]))
        if op == "drop" and len(words) > 1:
            del words[i]
        elif op == "dup":
            words.insert(i, words[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(words) - 1))
            words[i], words[j] = words[j], words[i]
        else:
            words[i] = data.draw(st.sampled_from(TOKENS))
    check_clean(" ".join(words))
