"""`make demo`: walks the seed's journey against the running platform, printing each step,
each event that crosses Kafka, and the statuses, so a newcomer sees the cascade."""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
import time
from typing import Any

from aiokafka import AIOKafkaConsumer
from rich.console import Console

from deploy.client import Client, Urls, resident_id
from deploy.stack import Stack
from shared.kit.kafka import options_from_env

console = Console()
TOPICS = [
    "ipp.identity-submitted.v1",
    "ipp.right-registered.v1",
    "ipp.complaint-filed.v1",
    "ipp.review-decided.v1",
    "ipp.email-bound.v1",
    "ipp.email-verification-requested.v1",
    "ipp.notification-sent.v1",
]


def describe(event: dict) -> str:
    data = event["data"]
    extra = ""
    if event["type"] == "ipp.ReviewDecided.v1":
        reasons = ", ".join(r["code"] for r in data["reasons"]) or "no failed checks"
        reused = " (reused approval)" if data.get("reused_decision_id") else ""
        extra = f" {data['material_type']} → [bold]{data['outcome']}[/]{reused}: {reasons}"
    elif event["type"] == "ipp.NotificationSent.v1":
        extra = f" {data['kind']} → {data['status']}"
    return (
        f"[cyan]{event['source']:>15}[/] [magenta]{event['type']}[/] "
        f"subject={event['subject'][:8]}…{extra}"
    )


def watch(kafka: dict[str, Any], stop: threading.Event) -> None:
    """Print every new event on the public topics while the journey runs."""

    async def run() -> None:
        consumer = AIOKafkaConsumer(
            *TOPICS, **kafka, group_id=f"ipp-demo-{random.random()}", auto_offset_reset="latest"
        )
        await consumer.start()
        try:
            while not stop.is_set():
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    for record in records:
                        console.print("   [dim]event[/] " + describe(json.loads(record.value)))
        finally:
            await consumer.stop()

    asyncio.run(run())


def step(text: str) -> None:
    console.print(f"\n[bold green]▶ {text}[/]")


def admin_kafka() -> dict[str, Any]:
    """The Kafka admin's client options: of the stack `make run` started (STACK, IPP_DATA_DIR), or
    the IPP_KAFKA_* of the environment when IPP_KAFKA_BOOTSTRAP names the broker."""
    kind = os.environ.get("STACK") or "embedded"
    return options_from_env(Stack(kind, os.environ.get("IPP_DATA_DIR") or "var").admin_env())  # type: ignore[arg-type]


def main() -> None:
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(admin_kafka(), stop), daemon=True)
    watcher.start()
    time.sleep(6)  # the watcher's consumer joins its group
    client = Client(Urls.from_env(dict(os.environ)))
    n = random.randrange(10**6)
    phone = f"137{n:08d}"
    step(
        f"1. Register with phone + SMS code + password (phone {phone[:3]}****{phone[-4:]}, "
        "dev code 000000)"
    )
    console.print(f"   account {client.register(phone, 'demo-password-1')}, signed in with a JWT")
    step("2. Bind an email (phone and email can never change afterwards)")
    client.bind_email(f"demo-{n}@example.com")
    step("2. Submit identity materials: individual holder, resident ID + both sides of the ID card")
    identity_id = client.submit_identity(id_number=resident_id(n))
    identity = client.call("GET", f"{client.urls.identity}/v1/identities/{identity_id}")
    console.print(
        f"   identity {identity_id}: {identity['status']}, number shown only as "
        f"{identity['holder']['document_number_masked']}"
    )
    step("3. Add a trademark right: registration certificate, Nice classes 25 and 35")
    right_id = client.register_trademark(identity_id)
    console.print(f"   right {right_id}: submitted (nothing is reviewed before a complaint)")
    step("4. File a complaint against two listings: this starts the review cascade")
    started = time.monotonic()
    complaint_id = client.file_complaint(
        right_id,
        [
            "https://www.kwaixiaodian.com/item/12345678",
            "https://shop.kuaishou.com/detail?itemId=87654321",
        ],
    )
    complaint = client.wait_for_verdict(complaint_id)
    step(
        f"5. Feedback: complaint {complaint_id} is [bold]{complaint['status']}[/] "
        f"({time.monotonic() - started:.2f}s after filing)"
    )
    for entry in complaint["timeline"]:
        console.print(
            f"   {entry['at']}  {entry['step']} {entry.get('material', '')} "
            f"{entry.get('outcome', '')}"
        )
    time.sleep(2)
    stop.set()
    watcher.join(5)
    notifications = f"{client.urls.notifier}/v1/notifications?complaint_id={complaint_id}"
    console.print(f"\nThe outcome email: {notifications} (and in the SMTP sink's Maildir)")


if __name__ == "__main__":
    main()
