"""The kit's operator commands, alike for every service: `ipp events …` and `ipp dlq …`.

`events stuck|retry` shows and retries the events a service's relay set aside (in the service's own
database); `dlq list|replay` shows and replays a consumer group's dead letters. The kit knows no
service: `operations` is given the services' names, and services/cli.py mounts what it returns
beside each service's own commands. Databases come from `IPP_<SERVICE>_DATABASE_URL` (else the
SQLite files under `IPP_DATA_DIR`), the broker from `IPP_KAFKA_*` (on a secured cluster, a principal
that may read the dead letters and write the original topics).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from shared.kit import dead_letters, set_aside
from shared.kit.database import sqlalchemy_url
from shared.kit.kafka import client_options
from shared.kit.settings import Settings

T = TypeVar("T")
console = Console()


def engine_of(service: str) -> Engine | None:
    """The service's database, or None (said on stderr) when it has none here yet."""
    url = Settings(service=service).database_url
    if url.startswith("sqlite:///") and not Path(url[10:]).exists():
        typer.echo(
            f"{service}: no database at {url} (set IPP_{service.upper()}_DATABASE_URL "
            "or IPP_DATA_DIR)",
            err=True,
        )
        return None
    return create_engine(sqlalchemy_url(url))


def across_databases(services: Sequence[str], use: Callable[[str, Engine], T]) -> list[T]:
    """`use(name, engine)` on each of the services' databases found here, in turn; a database error
    ends the command with one line saying which and why (exit 1), not a traceback."""
    results = []
    for name in services:
        engine = engine_of(name)
        if engine is None:
            continue
        try:
            results.append(use(name, engine))
        except SQLAlchemyError as exc:
            typer.echo(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}", err=True)
            raise typer.Exit(1) from exc
        finally:
            engine.dispose()
    return results


def operations(services: Sequence[str], example_group: str) -> typer.Typer:
    """The `events` and `dlq` groups: `--service` picks one of `services` (default: all of them);
    `example_group` is the consumer group the help of `dlq` shows."""
    kit = typer.Typer()
    events = typer.Typer(
        help="Events a relay could not publish and set aside.", no_args_is_help=True
    )
    dlq = typer.Typer(
        help="Dead letters of a consumer group (ipp.dlq.<group>).", no_args_is_help=True
    )
    kit.add_typer(events, name="events")
    kit.add_typer(dlq, name="dlq")
    service_option = typer.Option(
        None,
        "--service",
        "-s",
        help=f"{', '.join(services[:-1])} or {services[-1]} (default: all).",
    )
    group_argument = typer.Argument(..., help=f"The consumer group, e.g. {example_group}.")

    def chosen(service: str | None) -> Sequence[str]:
        return [service] if service else services

    @events.command(
        "stuck",
        help="List the events set aside: why each could not be published, "
        "and which wait behind it.",
    )
    def stuck(
        service: str | None = service_option, as_json: bool = typer.Option(False, "--json")
    ) -> None:
        def listing(name: str, engine: Engine) -> list[dict]:
            with engine.connect() as connection:
                return [{"service": name, **row.as_dict()} for row in set_aside.listing(connection)]

        found = [row for rows in across_databases(chosen(service), listing) for row in rows]
        if as_json:
            typer.echo(json.dumps(found, indent=2))
            return
        table = Table("service", "event", "topic", "subject", "since", "why")
        for row in found:
            why = f"held behind {row['held_behind']}" if row["held_behind"] else row["error"][:80]
            table.add_row(
                row["service"], row["event_id"], row["topic"], row["subject"], row["stuck_at"], why
            )
        console.print(table if found else "No event is set aside.")

    @events.command(
        "retry",
        help="Ask the relay to publish set-aside events again, in order; "
        "one that still fails stays set aside.",
    )
    def retry(
        service: str | None = service_option,
        event_id: str | None = typer.Option(
            None, "--event", help="One event (and those held behind it)."
        ),
    ) -> None:
        def ask(_name: str, engine: Engine) -> int:
            with engine.begin() as connection:
                return set_aside.request_retry(connection, event_id)

        asked = sum(across_databases(chosen(service), ask))
        typer.echo(
            f"{asked} event(s) will be retried by the running relay within seconds "
            "(`ipp events stuck`)."
        )

    @dlq.command(
        "list",
        help="Every dead letter of the group: where it came from, why, and which event it carries.",
    )
    def list_letters(
        group: str = group_argument, as_json: bool = typer.Option(False, "--json")
    ) -> None:
        found = asyncio.run(dead_letters.letters(client_options(Settings(service="tools")), group))
        rows = [
            {
                "partition": f.partition,
                "offset": f.offset,
                "from": f"{f.original_topic}/{f.original_partition}@{f.original_offset}",
                "reason": f.reason,
                "event_id": f.event_id,
                "type": f.event_type,
                "error": f.error,
            }
            for f in found
        ]
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        table = Table("letter", "from", "reason", "event", "error")
        for row in rows:
            table.add_row(
                f"{row['partition']}@{row['offset']}",
                row["from"],
                row["reason"],
                f"{row['type'] or '-'} {row['event_id'] or ''}",
                row["error"][:80],
            )
        console.print(table if rows else f"No dead letters for {group}.")

    @dlq.command(
        "replay",
        help="Publish every letter not replayed before to the topic it came "
        "from, once; consumers drop what they applied.",
    )
    def replay(group: str = group_argument) -> None:
        found = asyncio.run(dead_letters.replay(client_options(Settings(service="tools")), group))
        typer.echo(f"replayed {len(found)} dead letter(s) of {group}")

    return kit
