"""`ipp`: operator commands. `ipp reviewer create --phone … --password …` makes a reviewer account."""

from __future__ import annotations

import typer

from services.identity.application import IdentityApplication
from shared.kit.http import ApiError
from shared.kit.settings import Settings

app = typer.Typer(help="IPP operator commands.", no_args_is_help=True)
reviewer = typer.Typer(help="Reviewer accounts.", no_args_is_help=True)
app.add_typer(reviewer, name="reviewer")


@reviewer.command("create")
def create_reviewer(phone: str = typer.Option(..., help="The reviewer's phone number (the sign-in login)."),
                    password: str = typer.Option(..., prompt=True, hide_input=True,
                                                 help="At least 8 characters.")) -> None:
    """Create an account with the reviewer role in the identity service's store."""
    if len(password) < 8:
        raise typer.BadParameter("the password needs at least 8 characters", param_hint="--password")
    identity = IdentityApplication(Settings(service="identity"))
    try:
        account_id = identity.open_account(phone, password, ("reviewer",))
    except ApiError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(account_id)


if __name__ == "__main__":
    app()
