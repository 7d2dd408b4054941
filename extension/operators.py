"""bpy.ops.nodescript.apply, .check, .export, .lint, .live_reload and .rule_docs.

Each takes `scene` (a scene name; default: the context's scene), so scripts and tests run them
headless: `bpy.ops.nodescript.apply(scene="Shot")`. Apply is one undo step; when it would remove
nodes the file does not have (and no earlier apply made), it asks first from the UI and refuses
from a script unless `confirm_removal=True`.
"""

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from . import actions, findings, live


def _scene_prop():
    return StringProperty(name="Scene", description="Scene to work on (default: the current one)",
                          options={"SKIP_SAVE"})


class _OnScene:
    @classmethod
    def poll(cls, context):
        return context.scene is not None or len(bpy.data.scenes) > 0

    def target(self, context):
        if self.scene:
            return bpy.data.scenes.get(self.scene)
        return context.scene

    def finish(self, outcome):
        self.report({"INFO"} if outcome.ok else {"ERROR"}, outcome.status)
        return {"FINISHED"} if outcome.ok else {"CANCELLED"}

    def no_scene(self):
        self.report({"ERROR"}, f"no scene named {self.scene!r}")
        return {"CANCELLED"}


class NODESCRIPT_OT_apply(_OnScene, bpy.types.Operator):
    """Make this scene's compositor what its .nodes file says"""
    bl_idname = "nodescript.apply"
    bl_label = "Apply"
    bl_options = {"REGISTER", "UNDO"}

    scene: _scene_prop()
    force: BoolProperty(name="Force", description="Apply despite precision errors (NS3xx)",
                        options={"SKIP_SAVE"})
    confirm_removal: BoolProperty(name="Remove nodes the file lacks", options={"SKIP_SAVE"},
                                  description="Remove what the .nodes file does not carry "
                                              "(nodes apply did not build, ...)")

    def invoke(self, context, event):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        prep, _ = actions.prepare(scene, self.force)
        lost = prep.changes.lost() if prep is not None else []
        if lost and not self.confirm_removal:
            self.confirm_removal = True
            return _confirm(context, self, event, actions.removal_question(prep.changes) + "?")
        return self.execute(context)

    def execute(self, context):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        return self.finish(actions.apply(scene, force=self.force,
                                         confirm_removal=self.confirm_removal))


def _confirm(context, operator, event, message: str):
    return context.window_manager.invoke_confirm(operator, event, title="nodescript apply",
                                                 message=message, confirm_text="Apply")


class NODESCRIPT_OT_check(_OnScene, bpy.types.Operator):
    """List what Apply would change (the drift), changing nothing"""
    bl_idname = "nodescript.check"
    bl_label = "Check"

    scene: _scene_prop()

    def execute(self, context):
        scene = self.target(context)
        return self.finish(actions.check(scene)) if scene else self.no_scene()


class NODESCRIPT_OT_lint(_OnScene, bpy.types.Operator):
    """Lint this scene's compositor (as `nodescript lint SCENE.blend`)"""
    bl_idname = "nodescript.lint"
    bl_label = "Lint"

    scene: _scene_prop()

    def execute(self, context):
        scene = self.target(context)
        return self.finish(actions.lint(scene)) if scene else self.no_scene()


class NODESCRIPT_OT_show_finding(_OnScene, bpy.types.Operator):
    """Select this finding's node and frame it (or show the setting it is about)"""
    bl_idname = "nodescript.show_finding"
    bl_label = "Show Finding"

    scene: _scene_prop()
    index: IntProperty(name="Finding", default=-1)

    def execute(self, context):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        settings = scene.nodescript
        if not 0 <= self.index < len(settings.findings):
            self.report({"ERROR"}, f"no finding {self.index} (the list has {len(settings.findings)})")
            return {"CANCELLED"}
        settings.active_finding = self.index
        item = settings.findings[self.index]
        if not findings.select(scene, item, context):
            where = item.setting or item.location or "the scene"
            self.report({"INFO"}, f"{item.code} is about {where}, not a node in the compositor")
        return {"FINISHED"}


class NODESCRIPT_OT_export(_OnScene, bpy.types.Operator):
    """Write this scene's compositor as a .nodes file (the text `nodescript export` writes)"""
    bl_idname = "nodescript.export"
    bl_label = "Export"

    scene: _scene_prop()
    filepath: StringProperty(name="File", subtype="FILE_PATH", options={"SKIP_SAVE"})
    filter_glob: StringProperty(default="*.nodes", options={"HIDDEN"})

    def invoke(self, context, event):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        default = "//compositor.nodes" if bpy.data.filepath else "compositor.nodes"
        self.filepath = bpy.path.abspath(scene.nodescript.file or default)
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        path = bpy.path.abspath(self.filepath or scene.nodescript.file)
        if not path:
            self.report({"ERROR"}, "no file to export to: give filepath or choose a .nodes file")
            return {"CANCELLED"}
        return self.finish(actions.export(scene, path))


class NODESCRIPT_OT_live_reload(_OnScene, bpy.types.Operator):
    """Follow the .nodes file: each save of it (or of a file it uses) is applied within a second"""
    bl_idname = "nodescript.live_reload"
    bl_label = "Live Reload"

    scene: _scene_prop()
    action: EnumProperty(items=[("TOGGLE", "Toggle", ""), ("START", "Start", ""),
                                ("STOP", "Stop", "")], default="TOGGLE", options={"SKIP_SAVE"})

    def execute(self, context):
        scene = self.target(context)
        if scene is None:
            return self.no_scene()
        on = not live.is_live(scene) if self.action == "TOGGLE" else self.action == "START"
        if not on:
            live.stop(scene)
            self.report({"INFO"}, f"live reload off for scene {scene.name!r}")
            return {"FINISHED"}
        outcome = live.start(scene)
        self.report({"INFO"} if outcome.ok else {"WARNING"},
                    f"live reload on for scene {scene.name!r}: {outcome.status}")
        return {"FINISHED"}


class NODESCRIPT_OT_rule_docs(bpy.types.Operator):
    """Show the rule's documentation (and open it online)"""
    bl_idname = "nodescript.rule_docs"
    bl_label = "Rule Docs"

    code: StringProperty(name="Code")
    online: BoolProperty(name="Open online", options={"SKIP_SAVE"})

    def invoke(self, context, event):
        return context.window_manager.invoke_popup(self, width=520)

    def draw(self, context):
        import textwrap

        layout = self.layout
        for line in findings.rule_text(self.code).splitlines():
            for part in textwrap.wrap(line, 90) or [""]:
                layout.label(text=part)
        if docs_url(context):
            op = layout.operator(self.bl_idname, text="Open online", icon="URL")
            op.code, op.online = self.code, True

    def execute(self, context):
        if self.online and docs_url(context):
            bpy.ops.wm.url_open(url=findings.rule_url(self.code, docs_url(context)))
        return {"FINISHED"}


def docs_url(context) -> str:
    """The add-on preference: where docs/rules.md is published (empty: nowhere known)."""
    addon = context.preferences.addons.get(__package__)
    prefs = addon.preferences if addon else None
    return (getattr(prefs, "docs_url", "") or "").strip()


class NodescriptPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    docs_url: StringProperty(name="Rule docs address",
                             description="Where docs/rules.md is published, e.g. its page in "
                                         "your clone's forge; each rule's docs link to its "
                                         "section there")

    def draw(self, context):
        self.layout.prop(self, "docs_url")


CLASSES = (NODESCRIPT_OT_apply, NODESCRIPT_OT_check, NODESCRIPT_OT_lint, NODESCRIPT_OT_show_finding,
           NODESCRIPT_OT_export,
           NODESCRIPT_OT_live_reload, NODESCRIPT_OT_rule_docs, NodescriptPreferences)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
