"""Blender 5.3: the compositor is a stack of effects (`scene.compositor_effects`); the
deprecated `compositing_node_group` reaches only the active effect. nodescript changes the
effect a graph names (default: the scene's only or active effect) and leaves the others."""

from nodescript.dialects.blender_5_2 import Blender52


class Blender53(Blender52):
    VERSION = "5.3"
    BPY_RELEASE = "5.3.0"
    COMPOSITOR_EFFECTS = True
    INTEGER_FILE_OVERRIDE_SPACES = "any"
