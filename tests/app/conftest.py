from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message it posted be handled (workers start workers)."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
