"""Blender 4.5 LTS: File Output gains a node-level save_as_render; a single-layer EXR writes a
float input as R, G, B; Cryptomatte stays full float in a half multilayer file; a multilayer
slot keeps the motion-vector pass's fourth component (measured). (Composite and
Viewer lost their Alpha input, and Math/Map Range/Mix became the shader nodes in the Add menu:
the catalogue says so.)"""

from nodescript.dialects.blender_4_2 import Blender42


class Blender45(Blender42):
    VERSION = "4.5"
    BPY_RELEASE = "4.5.15"
    NODE_SAVE_AS_RENDER = True
    SINGLE_LAYER_EXR_VALUE_AS_RGB = True
    CRYPTOMATTE_HALF_IN_HALF_EXR = False
    SLOT_KEEPS_MOTION_W = True
    SRGB_16BIT_WITHOUT_SAVE_AS_RENDER = True
    INTEGER_FILE_OVERRIDE_SPACES = "any"
