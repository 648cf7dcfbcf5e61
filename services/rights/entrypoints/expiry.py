"""The expiry loop: the daily business of rights that end, run by the service beside
its HTTP and events."""

from __future__ import annotations

import asyncio

from services.rights.application import RightsApplication
from shared.kit.logs import log


def expiry_schedule(app: RightsApplication, every_seconds: float):
    """Daily business, checked every `every_seconds`: reminders 30 days ahead, then `expired`."""

    async def loop() -> None:
        while True:
            changed = await asyncio.to_thread(app.sweep_expiry, app.today())
            log.info("rights.expiry_swept", changed=changed)
            await asyncio.sleep(every_seconds)

    return loop
