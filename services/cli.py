"""`ipp`: operator commands.

`ipp reviewer create --phone … --password …` makes a reviewer account; `ipp events stuck|retry`
shows and retries the events a relay set aside; `ipp dlq list|replay GROUP` shows and replays a
consumer group's dead letters. Databases come from `IPP_<SERVICE>_DATABASE_URL` (else the SQLite
files under `IPP_DATA_DIR`), the broker from `IPP_KAFKA_*` (on a secured cluster, a principal that
may read the dead letters and write the original topics). `ipp keys rotate --file PATH` adds a new
JWT signing key to identity's key file (making the file if needed).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from services.identity.adapters import signing_keys
from services.identity.main import build
from shared.kit import dead_letters, set_aside
from shared.kit.database import sqlalchemy_url
from shared.kit.errors import ServiceError
from shared.kit.kafka import client_options
from shared.kit.settings import Settings

app = typer.Typer(
    help="IPP operator commands.", no_args_is_help=True, pretty_exceptions_enable=False
)
reviewer = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
events = typer.Typer(help="Events a relay could not publish and set aside.", no_args_is_help=True)
dlq = typer.Typer(help="Dead letters of a consumer group (ipp.dlq.<group>).", no_args_is_help=True)
app.add_typer(reviewer, name="reviewer")
app.add_typer(events, name="events")
app.add_typer(dlq, name="dlq")
keys = typer.Typer(help="Identity's JWT signing keys (IPP_JWT_KEYS_FILE).", no_args_is_help=True)
app.add_typer(keys, name="keys")
SERVICES = ("identity", "rights", "complaints", "notifier")
SERVICE = typer.Option(
    None, "--service", "-s", help="identity, rights, complaints or notifier (default: all)."
)
console = Console()


def engine_of(service: str) -> Engine | None:
    """The service's database, or None (said on stderr) when it has none here yet."""
    settings = Settings(service=service)
    if (
        settings.database_url.startswith("sqlite:///")
        and not Path(settings.database_url[10:]).exists()
    ):
        typer.echo(
            f"{service}: no database at {settings.database_url} (set "
            f"IPP_{service.upper()}_DATABASE_URL or IPP_DATA_DIR)",
            err=True,
        )
        return None
    return create_engine(sqlalchemy_url(settings.database_url))


def databases(service: str | None) -> Iterator[tuple[str, Engine]]:
    for name in [service] if service else SERVICES:
        engine = engine_of(name)
        if engine is None:
            continue
        try:
            yield name, engine
        except SQLAlchemyError as exc:
            typer.echo(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}", err=True)
            raise typer.Exit(1) from exc
        finally:
            engine.dispose()


@reviewer.command("create")
def create_reviewer(
    phone: str = typer.Option(..., help="The reviewer's phone number (the sign-in login)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, help="At least 10 characters, not a common password."
    ),
) -> None:
    """Create an account with the reviewer role in the identity service's store (the password policy
    of registration applies: WEAK_PASSWORD names the rule broken)."""
    identity = build(Settings(service="identity"))
    try:
        account_id = identity.open_account(phone, password, ("reviewer",))
    except ServiceError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(account_id)


@events.command("stuck")
def stuck(service: str | None = SERVICE, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the events set aside: why each could not be published, and which wait behind it."""
    found = []
    for name, engine in databases(service):
        with engine.connect() as connection:
            found += [{"service": name, **row.as_dict()} for row in set_aside.listing(connection)]
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


@events.command("retry")
def retry(
    service: str | None = SERVICE,
    event_id: str | None = typer.Option(
        None, "--event", help="One event (and those held behind it)."
    ),
) -> None:
    """Ask the relay to publish set-aside events again, in order; one that still
    fails stays set aside."""
    asked = 0
    for _, engine in databases(service):
        with engine.begin() as connection:
            asked += set_aside.request_retry(connection, event_id)
    typer.echo(
        f"{asked} event(s) will be retried by the running relay within seconds "
        "(`ipp events stuck`)."
    )


@dlq.command("list")
def list_letters(
    group: str = typer.Argument(..., help="The consumer group, e.g. ipp-complaints."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every dead letter of the group: where it came from, why, and which event it carries."""
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


@dlq.command("replay")
def replay(
    group: str = typer.Argument(..., help="The consumer group, e.g. ipp-complaints."),
) -> None:
    """Publish every letter not replayed before to the topic it came from, once; consumers drop
    what they applied."""
    found = asyncio.run(dead_letters.replay(client_options(Settings(service="tools")), group))
    typer.echo(f"replayed {len(found)} dead letter(s) of {group}")


@keys.command("rotate")
def rotate_keys(
    file: Path = typer.Option(
        ..., "--file", help="The key file (IPP_JWT_KEYS_FILE); made if missing."
    ),
    keep_minutes: int | None = typer.Option(
        None,
        "--keep-minutes",
        min=0,
        help="Keep retired keys this long (default: the token lifetime, IPP_ACCESS_TOKEN_MINUTES).",
    ),
) -> None:
    """Put a new signing key in front (it signs from now on) and drop keys whose
    tokens have all expired.

    Identity replicas reread the file when it changes; the old keys stay in the JWKS until
    their tokens expire."""
    minutes = (
        Settings(service="tools").access_token_minutes if keep_minutes is None else keep_minutes
    )
    try:
        fresh, dropped = signing_keys.rotate(file, keep_seconds=minutes * 60)
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot rotate {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"new signing key {fresh.kid}" + (f"; dropped {', '.join(dropped)}" if dropped else "")
    )


if __name__ == "__main__":
    app()
