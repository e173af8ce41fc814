"""`python -m tui` runs the same entry point as the `consolidate` script."""

from __future__ import annotations

from tui.cli import run

run()
