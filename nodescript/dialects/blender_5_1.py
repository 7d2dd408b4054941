"""Blender 5.1: built for Python 3.13. The compositor API is 5.0's; Render Layers' Vector is
a 4D vector and its hidden deprecated sockets are gone, Vector Blur's `Z` input is "Depth"
(the catalogue says so); a File Output item's name may hold sub-folders (measured). What reaches the files is bit-identical to 5.0 (measured)."""

from nodescript.dialects.blender_5_0 import Blender50


class Blender51(Blender50):
    VERSION = "5.1"
    BPY_RELEASE = "5.1.2"
    PYTHON = "3.13"
    ITEM_NAMES_ARE_PATHS = True
