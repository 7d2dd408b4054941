"""Blender 4.5 LTS: as 4.2, plus File Output's node-level `save_as_render`.

(Composite and Viewer lost their Alpha input; the catalogue already says so.)
"""

from __future__ import annotations

from nodescript.blender.lower_4_2 import Lowering42


class Lowering45(Lowering42):
    VERSION = "4.5"
    NODE_SAVE_AS_RENDER = True       # new in 4.5
