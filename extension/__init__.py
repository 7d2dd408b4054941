"""nodescript inside Blender: the compositor editor's sidebar panel (docs/extension.md).

A Blender extension (4.2+): blender_manifest.toml and the wheels of nodescript, lark and click
are added by scripts/build_extension.sh. This package is only the face: every operator calls
nodescript's own core and its Blender backend (nodescript.blender.in_scene).
"""

from . import live, operators, panel, props

_MODULES = (props, operators, panel, live)


def register():
    for module in _MODULES:
        module.register()


def unregister():
    for module in reversed(_MODULES):
        module.unregister()
