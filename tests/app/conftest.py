from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message it posted be handled (workers start workers).

    An exclusive worker started again cancels the one before it; waiting on that one raises
    WorkerCancelled, which only means the newer one is the one to wait for; one that failed raises
    WorkerFailed, which the app shows (the tests look at what it shows).
    """
    for _ in range(50):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                return
