"""`make bench`: filing-to-verdict latency, filing throughput and CPU per complaint, auto
review, on one stack.

Starts its own stack and services under var/bench-<stack>, files N complaints through the HTTP API
and times each from the POST to the moment its verdict (ReviewDecided for the complaint material)
reaches a plain Kafka consumer. Timing lives here, never in test assertions.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import typer
from aiokafka import AIOKafkaConsumer
from rich.console import Console

from deploy.client import Client, Urls, resident_id
from deploy.processes import start_services, stop_services, wait_all_ready
from deploy.stack import REPO, Stack
from shared.kit.kafka import options_from_env

console = Console()


def watch_verdicts(
    kafka: dict[str, Any], seen: dict[str, float], stop: threading.Event, ready: threading.Event
) -> None:
    """Note when each verdict arrives, as a takedown system sees it (its principal, a
    takedown* group)."""

    async def run() -> None:
        consumer = AIOKafkaConsumer(
            "ipp.review-decided.v1",
            **kafka,
            group_id=f"takedown-bench-{time.time()}",
            auto_offset_reset="latest",
        )
        await consumer.start()
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        ready.set()
        try:
            while not stop.is_set():
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.perf_counter()
                    for record in records:
                        data = json.loads(record.value)["data"]
                        if data["material_type"] == "complaint":
                            seen.setdefault(data["complaint_id"], now)
        finally:
            await consumer.stop()

    asyncio.run(run())


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy so far (every process: services, broker,
    database, client)."""
    times = psutil.cpu_times()
    return (
        times.user
        + times.nice
        + times.system
        + getattr(times, "irq", 0.0)
        + getattr(times, "softirq", 0.0)
    )


def process_seconds() -> dict[str, float]:
    """CPU seconds so far of every process, by what it is (a service, java, postgres, …)."""
    found: dict[str, float] = {}
    for process in psutil.process_iter(["cmdline", "name", "cpu_times"]):
        line = " ".join(process.info["cmdline"] or [process.info["name"] or "?"])
        what = next(
            (
                w
                for w in (
                    "services.identity",
                    "services.rights",
                    "services.complaints",
                    "services.notifier",
                    "services.portal",
                    "kafka.Kafka",
                    "postgres",
                    "tansu",
                    "deploy.bench",
                )
                if w in line
            ),
            "other",
        )
        times = process.info["cpu_times"]
        if times is not None:
            found[what] = found.get(what, 0.0) + times.user + times.system
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def idle_shares(seconds: float = 10.0) -> dict[str, float]:
    """Each process's share of one core while nobody asks the platform anything."""
    before = process_seconds()
    time.sleep(seconds)
    after = process_seconds()
    return {k: (v - before.get(k, 0.0)) / seconds for k, v in after.items()}


def measure(env: dict[str, str], kafka: dict[str, Any], count: int, gap: float = 0.0) -> None:
    seen: dict[str, float] = {}
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_verdicts, args=(kafka, seen, stop, ready))
    watcher.start()
    ready.wait(60)
    client = Client(Urls.from_env(env))
    n = int(time.time()) % 100_000
    client.register(f"136{n:08d}", "bench-password")
    client.bind_email(f"bench-{n}@example.com")
    right_id = client.register_trademark(client.submit_identity(id_number=resident_id(n)))
    time.sleep(3)  # the registration's emails and reviews settle
    idle = idle_shares()
    console.print(
        "idle, % of a core: "
        + ", ".join(
            f"{k} {v * 100:.1f}"
            for k, v in sorted(idle.items(), key=lambda kv: -kv[1])
            if k not in ("other", "deploy.bench")
        )
    )
    filed: dict[str, float] = {}
    cpu_before, each_before = busy_seconds(), process_seconds()
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        complaint_id = client.file_complaint(
            right_id, [f"https://www.kwaixiaodian.com/item/{20_000_000 + i}"]
        )
        filed[complaint_id] = t0
        time.sleep(gap)
    filing_seconds = time.perf_counter() - started
    deadline = time.monotonic() + 120
    while len([c for c in filed if c in seen]) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    cpu = busy_seconds() - cpu_before
    each = {k: v - each_before.get(k, 0.0) for k, v in process_seconds().items()}
    stop.set()
    watcher.join(10)
    latencies = [seen[c] - t for c, t in filed.items() if c in seen]
    console.print(
        f"complaints filed: {count} in {filing_seconds:.1f}s "
        f"({count / filing_seconds:.1f}/s, sequential HTTP)"
    )
    console.print(f"verdicts seen: {len(latencies)}")
    console.print(
        "CPU per complaint by process: "
        + ", ".join(
            f"{k} {v / count * 1000:.0f} ms"
            for k, v in sorted(each.items(), key=lambda kv: -kv[1])
            if v > 0.05
        )
    )
    console.print(
        f"CPU per complaint: {cpu / count * 1000:.0f} ms (the whole machine from the first "
        "filing to the last verdict: services, broker, database and this client; run it on an "
        "idle machine)"
    )
    if latencies:
        console.print(
            f"filing → verdict: p50 {percentile(latencies, 50) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.0f} ms, "
            f"mean {statistics.mean(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )


def main(
    stack: str = typer.Option("embedded"),
    count: int = typer.Option(100),
    gap: float = typer.Option(0.0, help="seconds between filings (0: back to back)"),
) -> None:
    data_dir = REPO / "var" / f"bench-{stack}"
    shutil.rmtree(data_dir, ignore_errors=True)
    infrastructure = Stack(stack, data_dir, kafka_lib=REPO / "var" / "kafka-lib")
    env = infrastructure.up()
    env.update({"IPP_REVIEW_MODE": "auto", "IPP_DEV_CODE": "000000"})
    services = start_services(env, Path(data_dir) / "logs")
    try:
        wait_all_ready(services, timeout=120)
        console.print(f"[bold]bench on the {stack} stack[/]")
        measure(env, options_from_env(infrastructure.takedown_env()), count, gap)
    finally:
        stop_services(services)
        infrastructure.down()


if __name__ == "__main__":
    typer.run(main)
