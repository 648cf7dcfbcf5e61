"""Identity's operator commands, `ipp reviewer …` and `ipp keys …` (services/cli.py mounts them).

`ipp reviewer create --phone … --password …` makes a reviewer account in identity's database
(`IPP_IDENTITY_DATABASE_URL`, else the SQLite file under `IPP_DATA_DIR`). `ipp keys rotate --file
PATH` adds a new JWT signing key to identity's key file (making the file if needed).
"""

from __future__ import annotations

from pathlib import Path

import typer

from services.identity.adapters import signing_keys
from services.identity.main import build
from shared.kit.errors import ServiceError
from shared.kit.settings import Settings

app = typer.Typer(help="Identity's operator commands.", no_args_is_help=True)
reviewer = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
keys = typer.Typer(help="Identity's JWT signing keys (IPP_JWT_KEYS_FILE).", no_args_is_help=True)
app.add_typer(reviewer, name="reviewer")
app.add_typer(keys, name="keys")


@reviewer.command(
    "create",
    help="Create an account with the reviewer role in the identity "
    "service's store (the password policy of\nregistration applies: WEAK_PASSWORD "
    "names the rule broken).",
)
def create_reviewer(
    phone: str = typer.Option(..., help="The reviewer's phone number (the sign-in login)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, help="At least 10 characters, not a common password."
    ),
) -> None:
    identity = build(Settings(service="identity"))
    try:
        account_id = identity.open_account(phone, password, ("reviewer",))
    except ServiceError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(account_id)


@keys.command(
    "rotate",
    help="Put a new signing key in front (it signs from now on) and drop "
    "keys whose tokens have all expired.\n\nIdentity replicas reread the file when it "
    "changes; the old keys stay in the JWKS until their tokens expire.",
)
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
    settings = Settings(service="tools")
    minutes = settings.access_token_minutes if keep_minutes is None else keep_minutes
    try:
        fresh, dropped = signing_keys.rotate(file, keep_seconds=minutes * 60)
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot rotate {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    gone = f"; dropped {', '.join(dropped)}" if dropped else ""
    typer.echo(f"new signing key {fresh.kid}{gone}")
