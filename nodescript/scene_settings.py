"""The scene settings a graph may declare in its `scene { ... }` block.

Each key names one Blender setting, version-independently; `path` is where it lives under the
scene in bpy (the backends set exactly these, nothing else). Only declared keys are ever touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SceneKey:
    key: str
    type: str                  # bool, int, float, str, enum, size, passes, clip, aovs
    path: str                  # attribute path under bpy.types.Scene ("" when handled specially)
    doc: str
    choices: dict[str, object] = field(default_factory=dict)   # enum: word -> value, or version map
    aliases: tuple[str, ...] = ()


# The engine words; each version's identifiers for them are its dialect's ENGINES.
ENGINES = {"cycles": "Cycles", "eevee": "EEVEE", "workbench": "Workbench"}

VIEW_TRANSFORMS = {"standard": "Standard", "raw": "Raw", "agx": "AgX", "filmic": "Filmic",
                   "filmiclog": "Filmic Log", "falsecolor": "False Color", "khronospbrneutral":
                   "Khronos PBR Neutral"}

# A File Output format's own colour management (`FileOutput(view_transform=raw)`): written
# name -> key under the format's "color_management", and what a field not given is (Blender
# 5's starting values; nodescript writes every field, as 4.x starts from the scene's view).
FILE_COLOUR_SETTINGS = {"view_transform": "view_transform", "look": "look",
                        "exposure": "exposure", "gamma": "gamma", "display": "display_device",
                        "color_space": "color_space"}
FILE_COLOUR_STARTS = {"view_transform": "AgX", "look": "None", "exposure": 0.0, "gamma": 1.0,
                      "display_device": "sRGB"}


def file_colour_space(file_format: str) -> str:
    """The colour space an override not given one writes: linear for float formats."""
    return "Linear Rec.709" if file_format in ("OPEN_EXR", "OPEN_EXR_MULTILAYER", "HDR") \
        else "sRGB"


SCENE_KEYS = [
    SceneKey("engine", "enum", "render.engine", "Render engine: cycles, eevee or workbench.", ENGINES),
    SceneKey("passes", "passes", "",
             "Render passes to enable on the first view layer (or view_layer's), e.g. [depth, "
             "normal]; a Render Layers node on another layer takes its own passes=[...]."),
    SceneKey("aovs", "aovs", "",
             "Shader AOVs of the view layer, each a Render Layers output: [name, ...] (colour) or "
             "(name, value); data for lint. apply does not create them: the .blend's view layer "
             "and materials must."),
    SceneKey("view_layer", "str", "", "The view layer whose passes are set (default: the first one)."),
    SceneKey("effect", "str", "",
             "The compositor effect the graph is, in Blender versions where the compositor is a "
             "stack of effects (default: the scene's only or active effect; a new scene gets "
             "one). Versions without effects have one compositor and ignore it."),
    SceneKey("resolution", "size", "render.resolution_x,render.resolution_y", "Output size in pixels, (x, y)."),
    SceneKey("resolution_percent", "int", "render.resolution_percentage", "Scale of the resolution, 1-100+."),
    SceneKey("use_compositing", "bool", "render.use_compositing",
             "Run the compositor when rendering (File Output nodes write nothing without it).",
             aliases=("compositing",)),
    SceneKey("film_transparent", "bool", "render.film_transparent", "Transparent film background."),
    SceneKey("compositor_device", "enum", "render.compositor_device",
             "Where the compositor runs: cpu or gpu (Blender 5.2 defaults to gpu; the files "
             "written are the same, measured).", {"cpu": "CPU", "gpu": "GPU"}),
    SceneKey("compositor_precision", "enum", "render.compositor_precision",
             "auto (full precision for final renders, half for previews) or full.",
             {"auto": "AUTO", "full": "FULL"}),
    SceneKey("dither", "float", "render.dither_intensity",
             "Noise added to 8-bit colour output (0 = none); float inputs are not dithered."),
    SceneKey("frame_start", "int", "frame_start", "First frame of the animation."),
    SceneKey("frame_end", "int", "frame_end", "Last frame of the animation."),
    SceneKey("view_transform", "enum", "view_settings.view_transform",
             "Colour management view transform (standard, raw, agx, filmic, ...).", VIEW_TRANSFORMS),
    SceneKey("look", "str", "view_settings.look", "Colour management look."),
    SceneKey("exposure", "float", "view_settings.exposure", "Colour management exposure."),
    SceneKey("gamma", "float", "view_settings.gamma", "Colour management gamma."),
    SceneKey("cycles.samples", "int", "cycles.samples", "Cycles render samples.", aliases=("samples",)),
    SceneKey("cycles.filter_width", "float", "cycles.filter_width",
             "Cycles pixel filter width in pixels (0.01 = no filtering of colour passes).",
             aliases=("filter_width",)),
    SceneKey("cycles.device", "enum", "cycles.device", "Cycles device: cpu or gpu.",
             {"cpu": "CPU", "gpu": "GPU"}),
    SceneKey("cycles.use_denoising", "bool", "cycles.use_denoising", "Cycles denoising of the render.",
             aliases=("denoise",)),
    SceneKey("eevee.samples", "int", "eevee.taa_render_samples", "EEVEE render samples."),
    SceneKey("camera.clip_start", "float", "camera.data.clip_start", "Active camera's near clip (m)."),
    SceneKey("camera.clip_end", "float", "camera.data.clip_end", "Active camera's far clip (m)."),
    SceneKey("camera.dof", "bool", "camera.data.dof.use_dof", "Active camera's depth of field."),
    SceneKey("camera.type", "enum", "camera.data.type", "Active camera's projection.",
             {"perspective": "PERSP", "orthographic": "ORTHO", "panoramic": "PANO"}),
    SceneKey("depth_range", "clip", "",
             "Expected depth range (near, far) in metres; used only by lint to size quantization "
             "errors, never written to the scene."),
]

BY_KEY: dict[str, SceneKey] = {}
for _k in SCENE_KEYS:
    BY_KEY[_k.key] = _k
    for _alias in _k.aliases:
        BY_KEY[_alias] = _k
