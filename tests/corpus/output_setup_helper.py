"""Output Setup Helper 3.18.3 (lukas-remis/Blender-automatic-output-setup), a compositing helper
add-on for Blender 5.0: output_setup_helper_v05.py, "Create Compositing Setup"
(setup_compositing_nodes) with the add-on's defaults (base path //../renders/, JPEG preview,
Denoise level 1.0), on a scene whose view layer has Depth, Mist, Normal, Position, Object Index
and Diffuse Color on, as a user enables them before pressing the button.

One Render Layers node; each beauty pass (Image, Mist, Diffuse Color...) goes through an
instance of the "DenoiseWithMix" node group (Denoise, then a shader Mix node blending raw and
denoised; interface Image/Normal/Albedo in, Image out) into a multilayer EXR File Output with
the DWAB codec; the utility passes (Depth, Position, Normal, Object Index...) go straight into a
second one with ZIP. Every item is RGBA. The code uses `scene.compositing_node_group` and
`file_output_items`, so it runs in 5.0 only (the build also runs in 5.1-5.3).
"""

from corpus import Source

SOURCE = Source("lukas-remis/Blender-automatic-output-setup", ("output_setup_helper_v05.py",),
                "d2658fec9d04dfdfab05050c64e02016f5cac1ce")
VERSIONS = ("5.0",)
PASSES = ("multilayer EXR beauty (DWAB): rgba, Mist, DiffCol through DenoiseWithMix; "
          "multilayer EXR utils (ZIP): Depth, Position, Normal, Object_Index; all RGBA items")

BASE_RENDERS_PATH = "//../renders/"
MIX_FACTOR = 1.0
BEAUTY_PASSES = {
    "Image": "rgba", "Grease Pencil": "Grease_Pencil", "Mist": "Mist",
    "Diffuse Direct": "DiffDir", "Diffuse Indirect": "DiffInd", "Diffuse Color": "DiffCol",
    "Glossy Direct": "GlossDir", "Glossy Indirect": "GlossInd", "Glossy Color": "GlossCol",
    "Transmission Direct": "TransDir", "Transmission Indirect": "TransInd",
    "Transmission Color": "TransCol", "Volume Direct": "VolumeDir",
    "Volume Indirect": "VolumeInd", "Emission": "Emit", "Environment": "Env",
    "Ambient Occlusion": "ao", "Shadow Catcher": "ShadowCatcher",
}
UTIL_PASSES = {
    "Depth": "Depth", "Position": "Position", "Pref": "Pref", "Normal": "Normal",
    "Vector": "Vector", "UV": "UV", "CryptoObject00": "CryptoObject00",
    "CryptoObject01": "CryptoObject01", "CryptoObject02": "CryptoObject02",
    "CryptoMaterial00": "CryptoMaterial00", "CryptoMaterial01": "CryptoMaterial01",
    "CryptoMaterial02": "CryptoMaterial02", "CryptoAsset00": "CryptoAsset00",
    "CryptoAsset01": "CryptoAsset01", "CryptoAsset02": "CryptoAsset02",
    "Object Index": "Object_Index", "Material Index": "Material_Index",
}


def build(bpy) -> None:
    scene = bpy.context.scene
    layer = scene.view_layers["ViewLayer"]
    for name in ("z", "mist", "normal", "position", "object_index", "diffuse_color"):
        setattr(layer, f"use_pass_{name}", True)
    _setup_compositing_nodes(bpy, scene, bpy.context.view_layer)


def _join(base, *paths):
    return "/".join([base.rstrip("/\\")] + [p for p in paths if p])


def _denoise_group(bpy, mix_factor):
    group = bpy.data.node_groups.get("DenoiseWithMix")
    if not group:
        group = bpy.data.node_groups.new("DenoiseWithMix", "CompositorNodeTree")
        iface = group.interface
        iface.new_socket("Image", in_out="INPUT", socket_type="NodeSocketColor")
        iface.new_socket("Normal", in_out="INPUT", socket_type="NodeSocketVector")
        iface.new_socket("Albedo", in_out="INPUT", socket_type="NodeSocketColor")
        iface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        gi = group.nodes.new("NodeGroupInput")
        gi.location = (-600, 0)
        denoise = group.nodes.new("CompositorNodeDenoise")
        denoise.location = (-200, 150)
        mix = group.nodes.new("ShaderNodeMix")
        mix.location = (100, 0)
        mix.data_type = "RGBA"
        mix.blend_type = "MIX"
        go = group.nodes.new("NodeGroupOutput")
        go.location = (400, 0)
        group.links.new(gi.outputs["Image"], denoise.inputs[0])
        group.links.new(gi.outputs["Normal"], denoise.inputs[2])
        group.links.new(gi.outputs["Albedo"], denoise.inputs[1])
        group.links.new(gi.outputs["Image"], mix.inputs["A"])
        group.links.new(denoise.outputs[0], mix.inputs["B"])
        group.links.new(mix.outputs["Result"], go.inputs["Image"])
    for n in group.nodes:
        if n.bl_idname == "ShaderNodeMix":
            n.inputs[0].default_value = mix_factor
    return group


def _setup_compositing_nodes(bpy, scene, view_layer) -> None:
    version = None                        # extract_version(): the file is not saved yet
    scene.render.image_settings.media_type = "IMAGE"
    scene.render.image_settings.file_format = "JPEG"
    scene.render.filepath = _join(BASE_RENDERS_PATH, version, "preview", "preview_")
    view_layer.cycles.denoising_store_passes = True
    scene.use_nodes = True
    if not scene.compositing_node_group:
        scene.compositing_node_group = bpy.data.node_groups.new("Compositor Nodes",
                                                                "CompositorNodeTree")
    tree = scene.compositing_node_group
    tree.nodes.clear()
    rl = tree.nodes.new("CompositorNodeRLayers")
    rl.location = (0, 0)
    denoise_group = _denoise_group(bpy, MIX_FACTOR)

    def create_out(label, path_suffix, loc, codec):
        n = tree.nodes.new("CompositorNodeOutputFile")
        n.label = label
        n.location = loc
        n.width = 450
        n.directory = _join(BASE_RENDERS_PATH, version, path_suffix)
        n.file_name = f"{path_suffix}_"
        n.format.file_format = "OPEN_EXR_MULTILAYER"
        n.format.exr_codec = codec
        n.file_output_items.clear()
        return n

    out_beauty = create_out("Beauty Output", "beauty", (1300, 400), "DWAB")
    out_util = create_out("Utility Output", "utils", (1300, -500), "ZIP")
    d_norm = rl.outputs.get("Denoising Normal")
    d_albe = rl.outputs.get("Denoising Albedo")
    y = 600
    for pass_name, slot in BEAUTY_PASSES.items():
        out = rl.outputs.get(pass_name)
        if not out:
            continue
        gn = tree.nodes.new("CompositorNodeGroup")
        gn.node_tree = denoise_group
        gn.location = (900, y)
        gn.hide = True
        tree.links.new(out, gn.inputs[0])
        if d_norm:
            tree.links.new(d_norm, gn.inputs[1])
        if d_albe:
            tree.links.new(d_albe, gn.inputs[2])
        item = out_beauty.file_output_items.new("RGBA", slot)
        tree.links.new(gn.outputs[0], out_beauty.inputs[item.name])
        y -= 60
    for pass_name, slot in UTIL_PASSES.items():
        out = rl.outputs.get(pass_name)
        if not out:
            continue
        item = out_util.file_output_items.new("RGBA", slot)
        tree.links.new(out, out_util.inputs[item.name])
