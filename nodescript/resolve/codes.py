"""Codes of the structural diagnostics that resolution reports (the NS0xx/NS1xx range).

Kept in one table so collisions are visible; `nodescript rule CODE` prints each one's docs,
and docs/rules.md collects them all.
"""

SYNTAX = "NS001"
INCLUDE_NOT_FOUND = "NS002"
INCLUDE_CYCLE = "NS003"
BAD_TARGET = "NS004"
UNKNOWN_NODE = "NS101"
UNKNOWN_SETTING = "NS102"
UNKNOWN_SOCKET = "NS103"
BAD_VALUE = "NS104"
DUPLICATE_NAME = "NS105"
UNDEFINED_NAME = "NS106"
AMBIGUOUS_SOCKET = "NS107"
INCOMPATIBLE_LINK = "NS108"
INPUT_LINKED_TWICE = "NS109"
CYCLE = "NS110"
NOT_IN_TARGET = "NS111"
UNKNOWN_SCENE_SETTING = "NS112"
BAD_GROUP = "NS113"

TITLES = {
    SYNTAX: "syntax-error",
    INCLUDE_NOT_FOUND: "include-not-found",
    INCLUDE_CYCLE: "include-cycle",
    BAD_TARGET: "bad-target",
    UNKNOWN_NODE: "unknown-node",
    UNKNOWN_SETTING: "unknown-setting",
    UNKNOWN_SOCKET: "unknown-socket",
    BAD_VALUE: "bad-value",
    DUPLICATE_NAME: "duplicate-name",
    UNDEFINED_NAME: "undefined-name",
    AMBIGUOUS_SOCKET: "ambiguous-socket",
    INCOMPATIBLE_LINK: "incompatible-link",
    INPUT_LINKED_TWICE: "input-linked-twice",
    CYCLE: "cycle",
    NOT_IN_TARGET: "not-in-target",
    UNKNOWN_SCENE_SETTING: "unknown-scene-setting",
    BAD_GROUP: "bad-group",
}
