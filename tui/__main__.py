"""`python -m tui` runs the same entry point as the `consolidate` script."""

from __future__ import annotations

import sys

from tui.cli import main

sys.exit(main())
