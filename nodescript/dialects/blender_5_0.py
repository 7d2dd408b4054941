"""Blender 5.0: the compositor is a node group assigned to the scene; Composite and Map Value
are gone (nodescript builds them from a Group Output and Math nodes); File Output was rewritten
as directory + file_name + typed items; EEVEE Next is EEVEE again."""

from nodescript.dialects.blender_4_5 import Blender45


class Blender50(Blender45):
    VERSION = "5.0"
    BPY_RELEASE = "5.0.1"
    TREE_IS_NODE_GROUP = True
    SCENE_TREE_NAME = "{scene} Compositing"
    FILE_OUTPUT_ITEMS = True
    FILE_LAYER_NAME_LENGTH = None
    # OPEN_EXR is not an item of MULTI_LAYER_IMAGE: set the media type first.
    MEDIA_TYPES = {"OPEN_EXR_MULTILAYER": "MULTI_LAYER_IMAGE"}
    ENGINES = {**Blender45.ENGINES, "eevee": "BLENDER_EEVEE"}
