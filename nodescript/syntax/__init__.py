"""Syntax layer: grammar loading, the AST with source spans, and the lark -> AST transform."""
