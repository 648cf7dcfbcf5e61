"""`ipp reviewer create` makes an account with the reviewer role that can sign in."""

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.identity import application
from services.identity.main import build
from shared.kit.settings import Settings
from tests.unit.passwords import CHEAP_ARGON2


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch) -> None:
    """The command builds identity's application itself: its hasher is made cheap here, as the
    other identity tests' is (argon2's production cost is checked in test_sign_in_hardening)."""
    monkeypatch.setattr(application, "_hasher", CHEAP_ARGON2)


def test_the_cli_creates_a_reviewer_who_can_sign_in(tmp_path):
    result = CliRunner().invoke(
        app,
        ["reviewer", "create", "--phone", "13800138501", "--password", "review-pass"],
        env={"IPP_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    identity = build(Settings(service="identity", data_dir=tmp_path))
    account = identity.sign_in_with_password("13800138501", "review-pass")
    assert str(account.id) == result.output.strip() and account.roles == ["reviewer"]


def test_the_cli_refuses_a_phone_that_already_has_an_account(tmp_path):
    args = ["reviewer", "create", "--phone", "13800138502", "--password", "review-pass"]
    CliRunner().invoke(app, args, env={"IPP_DATA_DIR": str(tmp_path)})
    again = CliRunner().invoke(app, args, env={"IPP_DATA_DIR": str(tmp_path)})
    assert again.exit_code == 1 and "PHONE_ALREADY_REGISTERED" in again.output
