"""Hostile input (issue 14): every input gets one clean error line, no file outside the project
is read or echoed, and no file the command did not set out to write is changed."""

import os
import stat

import pytest
from click.testing import CliRunner

from nodescript.cli import main
from nodescript.lint import lint_file, lint_source

SECRET = "root:$6$secret-hash:20228:0:99999:7:::"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def clean(result, code=1):
    """No traceback, the expected exit status."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output


@pytest.fixture
def project(tmp_path):
    """A project folder (pyproject.toml) inside tmp_path, with a secret file beside it."""
    (tmp_path / "secret").write_text(SECRET + "\n")
    (tmp_path / "secret.nodes").write_text(SECRET + "\n")
    root = tmp_path / "proj"
    (root / "sub").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "common.nodes").write_text("rl = RenderLayers()\n")
    return root


# --- includes stay in the project; non-sources are never echoed ------------------------------

@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "/dev/zero", "../secret",
                                    "../../secret.nodes", "/etc/hostname.nodes"])
def test_use_outside_the_project_is_refused_without_echo(project, target):
    main_file = project / "sub" / "m.nodes"
    main_file.write_text(f'use "{target}"\n')
    result = run("lint", main_file)
    clean(result)
    assert "NS002" in result.output and "secret-hash" not in result.output
    assert "SHELL=" not in result.output and "PATH=" not in result.output


def test_use_inside_the_project_still_works(project):
    main_file = project / "sub" / "m.nodes"
    main_file.write_text('use "../common.nodes"\nrl.Depth -> Viewer()\n')
    assert lint_file(str(main_file)).diagnostics == []


def test_a_symlink_out_of_the_project_is_refused(project, tmp_path):
    (project / "sneaky.nodes").symlink_to(tmp_path / "secret.nodes")
    main_file = project / "m.nodes"
    main_file.write_text('use "sneaky.nodes"\n')
    result = run("lint", main_file)
    clean(result)
    assert "outside the project" in result.output and "secret-hash" not in result.output


def test_a_symlink_to_a_non_source_inside_the_project_is_refused(project):
    (project / ".env").write_text("TOKEN=ghp_secret\n")
    (project / "env.nodes").symlink_to(project / ".env")
    main_file = project / "m.nodes"
    main_file.write_text('use "env.nodes"\n')
    for args in (("lint", main_file), ("lint", project / "env.nodes")):
        result = run(*args)
        clean(result)
        assert "ghp_secret" not in result.output and "TOKEN" not in result.output


def test_symlink_loop_and_nul_byte_in_use(project):
    (project / "a.nodes").symlink_to(project / "b.nodes")
    (project / "b.nodes").symlink_to(project / "a.nodes")
    main_file = project / "m.nodes"
    main_file.write_text('use "a.nodes"\nuse "x\0y.nodes"\n')
    messages = [d.message for d in lint_file(str(main_file)).diagnostics]
    assert any("symlink loop" in m for m in messages), messages
    assert any("not a valid path" in m for m in messages), messages


def test_a_fifo_is_refused_not_waited_for(project):
    fifo = project / "pipe.nodes"
    os.mkfifo(fifo)
    main_file = project / "m.nodes"
    main_file.write_text('use "pipe.nodes"\n')
    assert "not a regular file" in lint_file(str(main_file)).diagnostics[0].message
    result = run("lint", fifo)
    clean(result)
    assert "not a regular file" in result.output
    clean(run("fmt", fifo))


def test_a_top_level_file_that_is_not_a_source_is_not_echoed(tmp_path):
    named = tmp_path / "shadow"
    named.write_text(SECRET + "\n")
    result = run("lint", named)
    clean(result)
    assert "NS001" in result.output and "secret-hash" not in result.output


# --- literals that broke later stages -------------------------------------------------------

@pytest.mark.parametrize("literal", ["1" + "0" * 400, "9" * 5000, "1e999", "-1e400", "2" * 309])
def test_huge_numbers_are_one_syntax_error(literal):
    result = lint_source(f"rl = RenderLayers()\nm = Math(Value={literal})\nrl -> m\n", "x.nodes")
    assert [d.code for d in result.diagnostics] == ["NS001"]
    assert "too large" in result.diagnostics[0].message


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("(", ")")])
def test_deep_nesting_is_one_syntax_error(write_nodes, opener, closer):
    path = write_nodes("deep.nodes", f"m = Math(Value={opener * 1000}1{closer * 1000})\n")
    for command in ("lint", "fmt"):
        result = run(command, path)
        clean(result)
        assert "NS001" in result.output


def test_group_input_and_output_of_one_name(write_nodes):
    path = write_nodes("g.nodes", """
        group G(a: float) -> (a: float) {
            a -> a
        }
        rl = RenderLayers()
        rl.Depth -> G() -> Composite()
    """)
    # An output may share an input's name (Blender groups do): `a -> a` reads the input and
    # writes the output, a pass-through, not a cycle or a duplicate.
    for command in (("lint",), ("graph", "-o", path.with_suffix(".dot"))):
        result = run(*command[:1], path, *command[1:])
        clean(result, code=0)
        assert "NS105" not in result.output and "NS110" not in result.output


def test_invalid_utf8_in_fmt_and_fix(tmp_path):
    path = tmp_path / "bad.nodes"
    path.write_bytes(b"rl = RenderLayers()\nx = Blur(size=\xff)\n")
    for command in (("fmt",), ("lint", "--fix")):
        result = run(*command, path)
        clean(result)
        assert "bad.nodes:2:15" in result.output and "not UTF-8" in result.output
    assert path.read_bytes() == b"rl = RenderLayers()\nx = Blur(size=\xff)\n"


# --- writing only what the command set out to write ----------------------------------------

UGLY = "rl=RenderLayers()\n"


def test_fmt_writes_through_a_symlink_and_keeps_it(tmp_path):
    real = tmp_path / "real.nodes"
    real.write_text(UGLY)
    link = tmp_path / "link.nodes"
    link.symlink_to(real)
    clean(run("fmt", link), 0)
    assert link.is_symlink() and real.read_text() == "rl = RenderLayers()\n"


def test_fmt_ignores_a_planted_temp_symlink(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    path = tmp_path / "x.nodes"
    path.write_text(UGLY)
    (tmp_path / ".x.nodes.nodescript-tmp").symlink_to(victim)
    clean(run("fmt", path), 0)
    assert victim.read_text() == "precious\n"
    assert path.read_text() == "rl = RenderLayers()\n"


def test_fmt_keeps_mode_and_hard_links(tmp_path):
    path = tmp_path / "x.nodes"
    path.write_text(UGLY)
    path.chmod(0o640)
    twin = tmp_path / "twin.nodes"
    os.link(path, twin)
    clean(run("fmt", path), 0)
    assert twin.read_text() == "rl = RenderLayers()\n"          # still one file
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes everything")
def test_fmt_unreadable_file_and_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "x.nodes"
    path.write_text(UGLY)
    folder.chmod(0o555)
    try:
        result = run("fmt", path)
        clean(result)
        assert "cannot write" in result.output
    finally:
        folder.chmod(0o755)
    path.chmod(0)
    result = run("fmt", path)
    clean(result)
    assert "Permission denied" in result.output


def test_graph_output_refusals(write_nodes, tmp_path):
    path = write_nodes("g.nodes", "rl = RenderLayers()\nrl -> Viewer()\n")
    result = run("graph", path, "-o", tmp_path / "missing" / "g.dot")
    clean(result, 2)
    assert "does not exist" in result.output
    dot = tmp_path / "g.dot"
    dot.write_text("rl = RenderLayers()\n")
    result = run("graph", dot, "-o", dot)
    clean(result, 2)
    assert dot.read_text() == "rl = RenderLayers()\n"
    clean(run("graph", path, "-o", dot), 0)
    assert dot.read_text().startswith("digraph")


# --- fmt: only `\n` ends a line; ignore comments stay where lint reads them ----------------

@pytest.mark.parametrize("sep", ["\f", "\v", "\x1c", "\x85", "\u2028", "\u2029"])
def test_odd_line_separators_in_comments_and_strings(sep):
    from nodescript.fmt import format_source

    source = (f"rl = RenderLayers()  # a{sep}b\nv = Viewer()  # second\nrl -> v\n"
              f'f = FileOutput(path="//q{sep}z/")\n')
    assert format_source(source) == source                  # nothing moved, nothing grew
    result = lint_source(f"rl = RenderLayers()  # a{sep}b\nrl.Nope -> Viewer()\n", "x.nodes")
    assert [(d.span.line, d.source_line) for d in result.diagnostics] == [
        (2, "rl.Nope -> Viewer()")]


@pytest.mark.parametrize("source", [
    'rl = RenderLayers()\nout = FileOutput(  # nodescript: ignore[NS301]\n    path="//d/",\n'
    '    format=png,\n)\nrl.Depth -> out.depth\n',
    'rl = RenderLayers()\nout = FileOutput(\n    path="//d/",  # nodescript: ignore[NS301]\n'
    '    format=png,  # nodescript: ignore[NS204]\n)\nrl.Depth -> out.depth\n',
])
def test_fmt_keeps_an_ignore_comment_on_the_statement(source):
    from nodescript.fmt import format_source

    formatted = format_source(source)
    assert "NS301" not in [d.code for d in lint_source(formatted, "x.nodes").diagnostics]
    assert format_source(formatted) == formatted
    kept = [line for line in source.splitlines() if "#" in line]
    assert all(line[line.index("#"):] in formatted or "NS204" in line for line in kept)


# --- decompression bombs -----------------------------------------------------------------------

def _png(width: int, height: int, depth: int, color_type: int, idat: bytes) -> bytes:
    import struct
    import zlib

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("depth, color_type", [(16, 2), (8, 0), (16, 0)])
def test_a_png_declaring_gigapixels_is_refused_before_decoding(tmp_path, depth, color_type):
    pytest.importorskip("numpy")
    pytest.importorskip("PIL")
    import zlib

    path = tmp_path / "bomb.png"
    path.write_bytes(_png(60000, 60000, depth, color_type, zlib.compress(b"\0" * 100000)))
    result = run("inspect", path)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "60000x60000" in result.output and "limit" in result.output


def test_terminal_escapes_in_a_file_are_not_printed(write_nodes):
    path = write_nodes("esc.nodes", 'rl = RenderLayers()\nrl -> Viewer(\x1b[2J="x\r")\n')
    result = run("lint", path)
    clean(result)
    assert "\x1b" not in result.output and "\r" not in result.output
    assert "\ufffd[2J" in result.output


def test_fifos_as_images_and_blend_files_are_refused(tmp_path):
    from nodescript.blender.blendfile import BlendError, read_blend_header

    fifo = tmp_path / "pipe.blend"
    os.mkfifo(fifo)
    with pytest.raises(BlendError, match="not a regular file"):
        read_blend_header(fifo)
    result = run("inspect", fifo)
    assert result.exit_code != 0 and "not a regular file" in result.output


def test_a_value_under_a_lower_bound_only(write_nodes):
    """4.2's Gamma input is unsigned: Blender holds it to 0 and up (its UI range, 0.001..10, is
    no limit: Gamma=20 is a value Blender holds, so it resolves)."""
    path = write_nodes("px.nodes", 'target "4.2"\nrl = RenderLayers()\n'
                                   "rl -> Gamma(Gamma=20) -> Gamma(Gamma=-1) -> Composite()\n")
    assert [d.message for d in lint_file(str(path)).diagnostics] == [
        "Gamma input `Gamma` must be at least 0, not -1"]


def test_a_named_symlink_out_of_the_project_is_neither_shown_nor_written(project, tmp_path):
    evil = project / "evil.nodes"
    evil.symlink_to(tmp_path / "secret")
    for command in (("lint",), ("fmt",), ("lint", "--fix")):
        result = run(*command, evil)
        clean(result)
        assert "secret-hash" not in result.output and "root:" not in result.output
        assert "symlink" in result.output
    outside = tmp_path / "other.nodes"
    outside.write_text(UGLY)
    (project / "link.nodes").symlink_to(outside)
    clean(run("fmt", project / "link.nodes"))
    assert outside.read_text() == UGLY


def test_write_errors_are_one_reason(tmp_path):
    from nodescript.files import SourceError, write_text

    with pytest.raises(SourceError, match="cannot write: No such file or directory"):
        write_text(tmp_path / "missing" / "x.nodes", "x\n")
    os.mkfifo(tmp_path / "pipe.nodes")
    with pytest.raises(SourceError, match="not a regular file"):
        write_text(tmp_path / "pipe.nodes", "x\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.nodes"]      # no temp left


def test_a_monorepo_sub_project_may_include_from_the_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "common.nodes").write_text("rl = RenderLayers()\n")
    sub = tmp_path / "shots" / "a"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text("")
    main_file = sub / "m.nodes"
    main_file.write_text('use "../../common.nodes"\nrl.Depth -> Viewer()\n')
    assert lint_file(str(main_file)).diagnostics == []


def test_a_long_line_is_shown_cut_around_the_caret(write_nodes):
    path = write_nodes("long.nodes", "rl = RenderLayers()\n" + "x" * 20000 + " = Math(Value=@)\n")
    result = run("lint", path)
    clean(result)
    assert len(result.output) < 1000
    shown, caret = result.output.splitlines()[1:3]
    assert shown.endswith("= Math(Value=@)") and shown.startswith("  ...")
    assert shown[caret.index("^")] == "@"


def test_a_signal_while_saving_becomes_an_exception_and_handlers_come_back():
    import signal

    from nodescript.blender import safe_io

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(safe_io._Interrupted):
        with safe_io._signals_as_exceptions():
            os.kill(os.getpid(), signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before


def test_writers_lock_removes_stale_saving_files_only(tmp_path):
    from nodescript.blender.safe_io import writers_locked

    target = tmp_path / "s.blend"
    target.write_bytes(b"BLENDER")
    stale = [tmp_path / ".s.blend.x1.saving.blend", tmp_path / ".s.blend.x2.saving.blend@"]
    kept = [tmp_path / ".t.blend.x3.saving.blend", tmp_path / "s.blend1"]
    for path in stale + kept:
        path.write_bytes(b"")
    with writers_locked([target]):
        assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)


def test_a_npy_reference_declaring_gigabytes_is_refused(tmp_path):
    np = pytest.importorskip("numpy")
    from nodescript.inspect.image import InspectError
    from nodescript.inspect.reference import load_reference

    path = tmp_path / "truth.npy"
    with open(path, "wb") as file:
        np.lib.format.write_array_header_1_0(
            file, {"descr": "<f8", "fortran_order": False, "shape": (100000, 100000)})
        file.write(b"\0" * 64)
    with pytest.raises(InspectError, match="100000, 100000.*limit"):
        load_reference(str(path))


@pytest.mark.parametrize("path, safe", [("../../x", "_../_../x"), ("//dir/", "dir/"),
                                        ("/abs/x", "abs/x"), ("a\\..\\b", "a/_../b"),
                                        ("depth_####", "depth_####"), ("", ""),
                                        (".hidden/x\x1b", "_.hidden/x_")])
def test_render_out_names_stay_inside(path, safe):
    from nodescript.blender.out_paths import safe_relative

    assert safe_relative(path) == safe
    assert os.path.normpath(os.path.join("/out", safe or "x")).startswith("/out/")


@pytest.mark.parametrize("name, fmt, frame, written", [
    ("x_#.exr", "OPEN_EXR", 1, "x_1.exr"), ("y_##", "OPEN_EXR", 3, "y_03.exr"),
    ("w.png", "OPEN_EXR", 3, "w.png0003.exr"), ("a.JPEG", "JPEG", 2, "a.JPEG0002.jpg"),
    ("shot_###.jpeg", "JPEG", 7, "shot_007.jpeg")])
def test_render_predicts_blenders_names(name, fmt, frame, written):
    """Names Blender wrote (measured in 4.2/4.5 for EXR, in 4.5 for JPEG, 2026-12-02)."""
    from nodescript.blender.out_paths import with_extension, frame_name

    assert with_extension(frame_name(name, frame), fmt) == written


def test_blender_joins_slot_paths_like_blender():
    from nodescript.blender.out_paths import blender_join

    assert blender_join("", "//dir/") == "dir/"                 # measured in 4.2 and 4.5
    assert blender_join("//out/", "//dir/") == "//out/dir/"
    assert blender_join("//out", "x_") == "//out/x_"
