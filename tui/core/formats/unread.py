"""A migration its tool runs that consolidate does not read (Go, Rust, Python or JavaScript code, a
DSL, YAML): an error that names the file; the rest of the history is read on, and generate
refuses without --keep-going, since what the file does is missing from both builds."""

from __future__ import annotations

from tui.core.errors import ERROR, Diagnostic


def unread_migration(where: str, runs: str) -> Diagnostic:
    """`runs`: what the tool does with the file (`goose runs this Go migration`)."""
    return Diagnostic(where, 0, ERROR, f"{runs}; consolidate reads only SQL migrations, so what it does is missing from the "
                      "analysis: file not read", lost=True)
