"""Resolution: the AST checked against each target version's catalogue, giving the IR (nodescript.ir).

`load_graph(path)` is the entry point every command uses.
"""

from nodescript.resolve.resolver import compile_source, load_graph

__all__ = ["compile_source", "load_graph"]
