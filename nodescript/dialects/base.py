"""The features a Blender version may have. Defaults describe the oldest supported version;
each version's module overrides what changed. Names say what the difference *is*."""

from __future__ import annotations


class Dialect:
    VERSION = ""               # "4.2": the catalogue file this dialect reads
    BPY_RELEASE = ""           # the bpy release on the package registry that nodescript tests
    PYTHON = "3.11"            # the Python that bpy release is built for

    # --- where the compositor lives --------------------------------------------------------
    # The scene's compositor is a CompositorNodeTree datablock assigned to the scene (5.0:
    # `scene.compositing_node_group`) rather than `scene.node_tree`, owned by the scene and
    # switched on by `use_nodes`. A datablock can be shared by several scenes.
    TREE_IS_NODE_GROUP = False
    # The compositor is a stack of effects (5.3: `scene.compositor_effects`), each with its own
    # node group and render/preview switches; the enabled ones run in order, each effect's
    # Group Input receiving the image the one before it produced (measured in 5.3.0).
    COMPOSITOR_EFFECTS = False
    # The name Blender gives the effect it makes when a script assigns `compositing_node_group`
    # to a scene without effects; nodescript names the effects it makes the same way.
    DEFAULT_EFFECT_NAME = "Scene Effect"
    # A scene tree nodescript makes is named like this (4.x trees have no name of their own).
    SCENE_TREE_NAME = "{scene}.node_tree"

    # --- nodes ----------------------------------------------------------------------------
    # The composited image leaves through a Composite node (5.0: the tree's Group Output,
    # whose first output socket of this name and type the renderer reads).
    COMPOSITE_SOCKET = ("Image", "NodeSocketColor")

    # --- File Output ----------------------------------------------------------------------
    # 4.x: `base_path` + `file_slots`/`layer_slots`, each slot taking its linked socket's
    # type. 5.0: `directory` + `file_name` + `file_output_items`, each item declaring its
    # socket type (which decides half vs full float at depth 16) and its own format switch.
    FILE_OUTPUT_ITEMS = False
    # File Output has a node-level save_as_render (4.5); before, each slot's own flag applies.
    NODE_SAVE_AS_RENDER = False
    # A single-layer item's name is a path under the directory, sub-folders and all (5.1: an
    # item "/abs/x" writes <directory>/abs/x0001.exr); 5.0 turns `/` in item names into `_`.
    ITEM_NAMES_ARE_PATHS = False
    # File Output can write files without an extension (5.2: `use_file_extension`).
    FILE_EXTENSION_SWITCH = False
    # `format.media_type` must be set before `file_format` (5.0), value per file format.
    MEDIA_TYPES: dict[str, str] = {}
    # What a fresh File Output names its files (5.2: "{blend_name}"); lowering always writes
    # the language's own file_name, so this only matters when reading files nodescript did
    # not make.
    FRESH_FILE_NAME = ""

    # --- what reaches the file (measured with renders; docs/accurate-depth.md) -------------
    # A float input of a single-layer EXR is written into R, G and B (4.5 on) rather than one
    # V channel: a DWA codec then treats it as colour, lossily. (Vectors stay X, Y, Z.)
    SINGLE_LAYER_EXR_VALUE_AS_RGB = False
    # A 16-bit PNG/TIFF vector or colour input with save_as_render off is sRGB-encoded (4.5 on);
    # 4.2 writes it linear (measured: benchmarks/colour_management_matrix.py).
    SRGB_16BIT_WITHOUT_SAVE_AS_RENDER = False
    # Which colour space of a format's colour-management override an 8-bit PNG/TIFF vector or
    # colour input is written in with save_as_render off: "any" (4.5, 5.0, 5.1, 5.3),
    # "non-color" (4.2: Linear Rec.709 is still sRGB-encoded), "none" (5.2: always
    # sRGB-encoded). 16-bit files keep it in every version. Measured with
    # benchmarks/colour_override_matrix.py.
    INTEGER_FILE_OVERRIDE_SPACES = "non-color"
    # The motion-vector pass (four components) keeps its fourth one, W, through a File Output
    # slot of a multilayer EXR (4.5); 4.2 writes X, Y, Z only. Items (5.0 on) keep it when
    # declared 4D, which lowering does.
    SLOT_KEEPS_MOTION_W = False
    # A Cryptomatte pass into a half-float multilayer File Output is written half (4.2),
    # which breaks the IDs; later versions keep it full float.
    CRYPTOMATTE_HALF_IN_HALF_EXR = True

    # --- scene ----------------------------------------------------------------------------
    # nodescript's engine words -> this version's `render.engine` identifiers.
    ENGINES = {"cycles": "CYCLES", "eevee": "BLENDER_EEVEE_NEXT",
               "workbench": "BLENDER_WORKBENCH"}

    def engine(self, word: str) -> str | None:
        return self.ENGINES.get(word.lower())

    def engine_word(self, identifier: str) -> str | None:
        return next((w for w, v in self.ENGINES.items() if v == identifier), None)

    def __repr__(self) -> str:
        return f"<Blender {self.VERSION} dialect>"
