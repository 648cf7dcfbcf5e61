"""`ipp events stuck|retry` against a database that does not answer: one line saying which and why,
exit 1 — not a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from services.cli import app as cli


@pytest.mark.parametrize("command", [["events", "stuck"], ["events", "retry"]])
def test_a_database_that_does_not_answer_ends_the_command_with_one_line(command, monkeypatch):
    unreachable = "postgresql://ipp:secret@127.0.0.1:1/ipp_complaints?connect_timeout=2"
    monkeypatch.setenv("IPP_COMPLAINTS_DATABASE_URL", unreachable)
    result = CliRunner().invoke(cli, [*command, "--service", "complaints"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("complaints: OperationalError: "), result.output
    assert "secret" not in result.output
