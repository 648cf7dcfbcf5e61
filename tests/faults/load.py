"""Steady load as real holders make it: complaints filed at a steady rate, and what was not
accepted filed again."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.e2e.people import Holder


@dataclass
class SteadyLoad:
    """Files one complaint every `interval` seconds, round robin over `holders`, until stopped.

    A filing that gets 201 is accepted and must end in exactly one verdict and one email. One that
    gets 503 or no answer (the service is down) was not accepted and is filed again a moment later,
    as a client would; one whose answer was lost may have been accepted all the same, so a listing
    can end up in two complaints, both decided.
    """

    holders: list[Holder]
    complaints_url: str
    evidence: dict[str, str]  # account -> an uploaded evidence blob id, reused
    interval: float = 0.4
    accepted: dict[str, Holder] = field(
        default_factory=dict
    )  # complaint id -> the holder who filed it
    statuses: Counter = field(default_factory=Counter)  # every answer: 201, 503, "no answer", …
    retry_after: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)  # answers no client should ever get
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> SteadyLoad:
        self._thread = threading.Thread(target=self._run, name="steady-load", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(60)

    def wait_for(self, accepted: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < accepted and time.monotonic() < deadline:
            time.sleep(0.2)

    def _run(self) -> None:
        serial = itertools.count(1)
        with httpx.Client(timeout=30.0) as http:
            for holder in itertools.cycle(self.holders):
                if self._stop.is_set():
                    return
                listing = f"https://www.kwaixiaodian.com/item/{80_000_000 + next(serial)}"
                while not self._stop.is_set() and not self._file(http, holder, listing):
                    time.sleep(0.5)
                time.sleep(self.interval)

    def _file(self, http: httpx.Client, holder: Holder, listing: str) -> bool:
        body = {
            "right_id": holder.right_id,
            "infringement_type": "counterfeit_goods",
            "targets": [{"url": listing}],
            "description": "这些商品假冒我们的注册商标，请下架。",
            "evidence": [self.evidence[holder.phone]],
        }
        try:
            answer = http.post(
                f"{self.complaints_url}/v1/complaints",
                json=body,
                headers={"Authorization": f"Bearer {holder.client.token}"},
            )
        except httpx.HTTPError:
            self.statuses["no answer"] += 1
            return False
        self.statuses[answer.status_code] += 1
        if answer.status_code == 201:
            self.accepted[answer.json()["complaint_id"]] = holder
            return True
        if answer.status_code == 503:
            self.retry_after.add(answer.headers.get("retry-after", ""))
            return False
        self.failures.append(f"{answer.status_code} {answer.text[:300]}")
        return (
            answer.status_code < 500
        )  # a 4xx is final for this listing (and a failure of the test)
