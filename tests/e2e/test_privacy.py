"""No raw ID card or phone number in any record on Kafka or any service's log line."""

from __future__ import annotations

from tests.e2e.people import USED_NUMBERS, listing, new_holder
from tests.e2e.records import list_topics, read_all


def test_no_raw_id_or_phone_number_is_in_any_record_or_log_line(platform):
    holder = new_holder(platform.client())
    holder.client.wait_for_verdict(holder.client.file_complaint(holder.right_id, [listing(6)]))
    topics = [t for t in list_topics(platform.kafka) if t.startswith("ipp.")]
    records = b"".join((r.value or b"") + (r.key or b"") for r in read_all(platform.kafka, topics))
    logs = "".join(p.read_text(errors="replace") for p in platform.logs.glob("*.log"))
    assert USED_NUMBERS and holder.phone in USED_NUMBERS
    for number in USED_NUMBERS:
        assert number.encode() not in records, "a raw number is on Kafka"
        assert number not in logs, "a raw number is in a log"
    assert holder.id_number[:3] + "***" in records.decode(errors="replace")
