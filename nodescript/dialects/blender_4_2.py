"""Blender 4.2 LTS: the base dialect (everything in base.Dialect describes it)."""

from nodescript.dialects.base import Dialect


class Blender42(Dialect):
    VERSION = "4.2"
    BPY_RELEASE = "4.2.23"
