"""`nodescript inspect`: what rendered image files really hold.

Reads EXR (through OpenEXR), PNG and TIFF (through Pillow, with an exact decoder for 16-bit colour
PNGs that Pillow would cut to 8 bits) and reports per channel the stored pixel type, codec and
whether it is lossy, value range, distinct values, quantization step (measured and the type's
theoretical step), saturation, clamping, a staircase verdict, and error statistics against a known
truth. See docs/inspect.md.

This package's `__init__` and `command` modules stay light (click only): numpy, OpenEXR and
Pillow load when the command runs, so `import nodescript.cli` stays fast.
"""
