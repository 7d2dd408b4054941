"""nodescript: Blender compositor graphs as reviewable text.

Importing this package is cheap and never imports bpy, numpy or an image library: those load only
inside the commands that need them (apply, export, render, inspect).
"""

__version__ = "0.1.0"
