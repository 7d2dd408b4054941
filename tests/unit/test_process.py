"""Blender's C-level stderr noise is filtered from what nodescript shows; real errors are not."""

from __future__ import annotations

import os

from nodescript.process import c_stderr_filtered


def test_egl_noise_is_dropped_and_other_lines_kept(capfd):
    with c_stderr_filtered():
        os.write(2, b"EGL Error (0x3009): EGL_BAD_MATCH: Arguments are inconsistent\n")
        os.write(2, b"Error: a real problem\n")
        os.write(2, b"EGL Error (0x300C): EGL_BAD_PARAMETER\n")
    err = capfd.readouterr().err
    assert err == "Error: a real problem\n"


def test_nothing_is_written_when_there_was_only_noise(capfd):
    with c_stderr_filtered():
        os.write(2, b"EGL Error (0x3009): x\n")
    assert capfd.readouterr().err == ""


def test_the_lines_come_back_even_when_the_body_raises(capfd):
    try:
        with c_stderr_filtered():
            os.write(2, b"kept\n")
            raise RuntimeError("render failed")
    except RuntimeError:
        pass
    assert capfd.readouterr().err == "kept\n"
