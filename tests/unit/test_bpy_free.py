"""The core never imports bpy or an image library: lint and fmt work without Blender."""

import subprocess
import sys

HEAVY = ("bpy", "numpy", "OpenEXR", "PIL", "zstandard")


def test_import_and_lint_without_bpy(tmp_path):
    (tmp_path / "g.nodes").write_text('rl = RenderLayers()\nrl.Depth -> FileOutput(path="//d/")\n')
    code = (
        "import sys\n"
        "sys.modules['bpy'] = None  # any import of bpy would now fail\n"
        "import nodescript, nodescript.cli\n"
        "from nodescript.lint import lint_file\n"
        "from nodescript.fmt import format_source\n"
        "from nodescript.graphviz import to_dot\n"
        f"r = lint_file({str(tmp_path / 'g.nodes')!r})\n"
        "assert not r.has_errors, r.diagnostics\n"
        "to_dot(r.graph)\n"
        f"heavy = [m for m in {HEAVY!r} if sys.modules.get(m) is not None]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_export_module_loads_without_the_parser():
    # `nodescript export` starts without lark: export reads the resolver's names on first use.
    code = ("import sys, nodescript.blender.export\n"
            "loaded = [m for m in ('lark', 'nodescript.syntax.parser', 'bpy') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
