"""What the add-on stores in the .blend: `scene.nodescript` (docs/extension.md lists it)."""

import bpy
from bpy.props import CollectionProperty, IntProperty, PointerProperty, StringProperty


class NodescriptFinding(bpy.types.PropertyGroup):
    code: StringProperty(name="Code")
    severity: StringProperty(name="Severity")             # error, warning or info
    message: StringProperty(name="Message")
    node: StringProperty(name="Node")                     # Blender node name; "" for none
    group: StringProperty(name="Node group")              # the node's tree when it is a group
    effect: StringProperty(name="Effect")                 # 5.3: the compositor effect
    setting: StringProperty(name="Setting")               # render.use_compositing, ...
    location: StringProperty(name="Location")             # file:line:col in the .nodes file
    help: StringProperty(name="Help")


class NodescriptLine(bpy.types.PropertyGroup):
    text: StringProperty()


# A path property must say it takes `//` where Blender asks (4.5 on warns otherwise); earlier
# ones have no such option and take `//` anyway.
_RELATIVE = ({"PATH_SUPPORTS_BLEND_RELATIVE"}
             if "is_path_supports_blend_relative" in bpy.types.Property.bl_rna.properties else set())


class NodescriptScene(bpy.types.PropertyGroup):
    file: StringProperty(name=".nodes file", subtype="FILE_PATH", options=_RELATIVE,
                         description="The .nodes file this scene's compositor follows "
                                     "(relative to the .blend when it can be)")
    findings: CollectionProperty(type=NodescriptFinding)
    findings_of: StringProperty(description="what the findings are of: 'scene' after Lint, "
                                            "'file' after Apply, Check and live reload")
    # No update callback: a property with one crashes bpy 4.2's module at exit, so choosing a
    # finding is the operator nodescript.show_finding (each row of the list is its button).
    active_finding: IntProperty(default=-1, description="The finding chosen in the list")
    status: StringProperty(description="One line on the last operation")
    report: CollectionProperty(type=NodescriptLine)       # the last Check's drift, apply notes
    drift: IntProperty(default=-1, description="Changes the last Check found (-1: not checked)")


CLASSES = (NodescriptFinding, NodescriptLine, NodescriptScene)


def register():
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.nodescript = PointerProperty(type=NodescriptScene)


def unregister():
    del bpy.types.Scene.nodescript
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)


def set_file(scene, path: str) -> None:
    """Point the scene at `path`, as `//relative` when the .blend is saved."""
    if bpy.data.filepath:
        try:
            path = bpy.path.relpath(path)
        except ValueError:                   # another drive (Windows): keep it absolute
            pass
    scene.nodescript.file = path


def graph_path(scene) -> str:
    return bpy.path.abspath(scene.nodescript.file) if scene.nodescript.file else ""
