"""The kit's own tables in every service's database (inbox, relay positions, set-aside
events) and its URLs.

Its own module, below both the store and the migrations: the migrations compare these tables with
the revisions, the store and the relay use them, and neither of those needs the other to know them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

# Tables the kit itself keeps in every service's database.
kit_metadata = MetaData()
inbox_events = Table(
    "ipp_inbox_events",
    kit_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("topic", String(200), nullable=False),
    Column("processed_at", Float, nullable=False),
)
relay_positions = Table(
    "ipp_relay_positions",
    kit_metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Column("owner", String(64), nullable=True),
    Column("lease_until", Float, nullable=False, default=0.0),
    # the broker this log was relayed to, and the highest offset it acknowledged per
    # "topic/partition" (JSON): a new cluster id, or an end offset below a mark, means the broker
    # lost what it had and the log is relayed again
    Column("cluster_id", String(200), nullable=True),
    Column("marks", Text, nullable=True),
)
# Events a relay could not publish (too large for a record, unserialisable) and the later events of
# the same subject held back behind them, so the relay goes on with every other subject in order;
# `ipp events stuck|retry`.
stuck_events = Table(
    "ipp_outbox_stuck",
    kit_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("relay", String(64), nullable=False),
    Column("notification_id", Integer, nullable=False),
    Column("event_index", Integer, nullable=False),
    Column("topic", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("error", Text, nullable=False),
    Column("held_behind", String(64), nullable=True),
    Column("stuck_at", Float, nullable=False),
    Column("retry", Boolean, nullable=False, default=False),
    Index("ipp_outbox_stuck_by_relay", "relay", "notification_id", "event_index"),
)


def sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
