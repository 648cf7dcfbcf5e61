"""Waiting a moment for what another service has announced and this one has not read yet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(fetch: Callable[[], T | None], seconds: float, step: float = 0.1) -> T | None:
    """`fetch()` (run off the event loop) until it answers or `seconds` have passed;
    then its last answer.

    Events between services arrive a moment after the HTTP call that caused them: an identity
    submitted and, at once, a right registered for it; a right registered and, at once, a
    complaint filed with it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    found = await asyncio.to_thread(fetch)
    while found is None and loop.time() < deadline:
        await asyncio.sleep(step)
        found = await asyncio.to_thread(fetch)
    return found
