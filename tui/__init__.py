"""consolidate: fold a PostgreSQL migration history into a minimal, proven-equal set."""

from __future__ import annotations

__version__ = "0.1.0"
