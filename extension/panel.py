"""The sidebar panel of the compositor editor (N panel, tab "nodescript")."""

import bpy

from . import live

ICONS = {"error": "ERROR", "warning": "ERROR", "info": "INFO"}


class NODESCRIPT_UL_findings(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_property,
                  index=0, flt_flag=0):
        row = layout.row(align=True)
        where = item.node or item.setting or item.location
        op = row.operator("nodescript.show_finding", text=f"{item.code}  {where}  {item.message}",
                          icon=ICONS.get(item.severity, "DOT"), emboss=False)
        op.index = index                     # a click selects and frames the node


class NODESCRIPT_PT_panel(bpy.types.Panel):
    bl_label = "nodescript"
    bl_space_type = "NODE_EDITOR"
    bl_region_type = "UI"
    bl_category = "nodescript"

    @classmethod
    def poll(cls, context):
        space = context.space_data
        return getattr(space, "tree_type", "") == "CompositorNodeTree" and context.scene is not None

    def draw(self, context):
        layout, scene = self.layout, context.scene
        settings = scene.nodescript
        layout.prop(settings, "file", text="")
        row = layout.row(align=True)
        row.operator("nodescript.apply")
        row.operator("nodescript.check")
        row.operator("nodescript.export")
        row = layout.row(align=True)
        row.operator("nodescript.lint")
        on = live.is_live(scene)
        row.operator("nodescript.live_reload", text="Live Reload", depress=on,
                     icon="PAUSE" if on else "PLAY")
        if settings.status:
            layout.label(text=settings.status)
        if "precision error" in settings.status:           # Apply refused them: offer --force
            layout.operator("nodescript.apply", text="Apply with Force", icon="ERROR").force = True
        if len(settings.report):
            box = layout.box()
            for line in settings.report[:40]:
                box.label(text=line.text)
        if len(settings.findings):
            layout.label(text=f"Findings of the {settings.findings_of}:")
            layout.template_list("NODESCRIPT_UL_findings", "", settings, "findings",
                                 settings, "active_finding", rows=4)
            _draw_active(layout, settings)


def _draw_active(layout, settings) -> None:
    index = settings.active_finding
    if not 0 <= index < len(settings.findings):
        return
    item = settings.findings[index]
    box = layout.box()
    box.label(text=f"{item.severity} {item.code}", icon=ICONS.get(item.severity, "DOT"))
    for text in _wrapped(item.message) + (_wrapped("help: " + item.help) if item.help else []):
        box.label(text=text)
    for name, value in (("node", item.node), ("group", item.group), ("setting", item.setting),
                        ("file", item.location)):
        if value:
            box.label(text=f"{name}: {value}")
    box.operator("nodescript.rule_docs", text=f"{item.code} docs", icon="HELP").code = item.code


def _wrapped(text: str, width: int = 60) -> list:
    import textwrap

    return textwrap.wrap(text, width) or [""]


CLASSES = (NODESCRIPT_UL_findings, NODESCRIPT_PT_panel)


register, unregister = bpy.utils.register_classes_factory(CLASSES)
