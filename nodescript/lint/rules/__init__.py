"""Rule modules. Each registers its rules on import."""


def load_all() -> None:
    from nodescript.lint.rules import precision, resolution, structural  # noqa: F401
