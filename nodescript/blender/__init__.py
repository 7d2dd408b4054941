"""Blender backends: reading, loading and saving .blend files, and patching compositor trees."""
