"""Blender 5.2 LTS: a fresh File Output names its files "{blend_name}" and can leave the
extension off (`use_file_extension`); Mix's factor defaults to 1.0 (0.5 before: lowering writes
the language's value, see vocabulary.language_defaults); function nodes (Switch as
GeometryNodeSwitch, strings, ...) enter the compositor; the compositor device defaults to GPU; a
format's colour-management override loses its colour space with save_as_render off (8-bit PNG
vector and colour inputs are sRGB-encoded whatever it says; measured, CPU and GPU device alike)."""

from nodescript.dialects.blender_5_1 import Blender51


class Blender52(Blender51):
    VERSION = "5.2"
    BPY_RELEASE = "5.2.3"
    FILE_EXTENSION_SWITCH = True
    FRESH_FILE_NAME = "{blend_name}"
    INTEGER_FILE_OVERRIDE_SPACES = "none"
