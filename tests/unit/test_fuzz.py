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


# --- graphs made of real kinds, settings, sockets and scene keys, with random values ----------

def _kinds() -> dict[str, tuple[list[str], list[str]]]:
    from nodescript import vocabulary

    found = {}
    for kind in vocabulary.all_kinds():
        spec = vocabulary.spec_for(kind, "5.0") or vocabulary.spec_for(kind, "4.2")
        if spec is not None:
            node = spec[0]
            found[kind] = (sorted(node.properties),
                           [s.name for s in node.inputs] + [s.name for s in node.outputs])
    return found


KINDS = _kinds()
VALUES = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "_", "exr", "png", "multiply", '""', '"//x/"', "(1, 2)",
                     "(1, 2, 3, 4)", "[]", "[(0, (1, 1, 1, 1)), (1, 0)]", "[depth]", "-0"]),
    st.text(max_size=5).map(lambda t: '"' + "".join(c for c in t if c not in '"\\\n') + '"'))


@st.composite
def graphs(draw) -> str:
    from nodescript.scene_settings import SCENE_KEYS

    lines = [draw(st.sampled_from(["", 'target "4.2"', 'target "4.5".."5.0"', 'target "9.9"']))]
    keys = draw(st.lists(st.sampled_from([k.key for k in SCENE_KEYS]), max_size=3))
    if keys:
        lines.append("scene {\n" + "\n".join(f"    {k} = {draw(VALUES)}" for k in keys) + "\n}")
    names = [f"n{i}" for i in range(draw(st.integers(1, 5)))]
    for name in names:
        kind = draw(st.sampled_from(sorted(KINDS)))
        props, sockets = KINDS[kind]
        keys = props + [s.replace(" ", "_") for s in sockets] + ["label", "mute", "inputs"]
        args = [f"{draw(st.sampled_from(keys))}={draw(VALUES)}"
                for _ in range(draw(st.integers(0, 3)))]
        lines.append(f"{name} = {kind}({', '.join(args)})")
    for _ in range(draw(st.integers(0, 5))):
        src = draw(st.sampled_from(names)) + draw(st.sampled_from(["", ".Image", "[0]", "[9]"]))
        dst = draw(st.sampled_from(names)) + draw(st.sampled_from(["", ".Value", "[1]",
                                                                   "(mute=true)"]))
        lines.append(f"{src} -> {dst}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(graphs())
def test_generated_graphs(source):
    check_clean(source)
