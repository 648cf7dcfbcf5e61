"""`ipp`: the operator commands, composed here and nowhere else.

Each service's own commands live in its `entrypoints/cli.py` (identity's: `ipp reviewer create`,
`ipp keys rotate`); the kit's, which act on any service, in shared/kit/cli.py (`ipp events
stuck|retry`: the events a relay set aside; `ipp dlq list|replay GROUP`: a consumer group's dead
letters). This module gives the kit the services' names and mounts every group under one `ipp`.
"""

from __future__ import annotations

import typer

from services.identity.entrypoints import cli as identity
from shared.kit import cli as kit

SERVICES = ("identity", "rights", "complaints", "notifier")  # each with a database and a relay
PARTS = (identity.app, kit.operations(SERVICES, example_group="ipp-complaints"))
ORDER = ("reviewer", "events", "dlq", "keys")  # as `ipp --help` has always listed them

app = typer.Typer(
    help="IPP operator commands.", no_args_is_help=True, pretty_exceptions_enable=False
)
groups = {group.name: group.typer_instance for part in PARTS for group in part.registered_groups}
if set(groups) != set(ORDER):
    raise RuntimeError(f"ipp: ORDER {ORDER} does not name the mounted groups {sorted(groups)}")
for name in ORDER:
    app.add_typer(groups[name], name=name)


if __name__ == "__main__":
    app()
