"""Password guessing as a determined attacker does it: other spellings of the login, many requests
at once, a forged X-Forwarded-For, probing which phones have accounts, and accounts with passwords
everyone tries first."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.cli import app as cli
from services.identity.domain.passwords import weakness
from shared.kit.http.app import create_http_app
from tests.unit.identity.conftest import Identity

RIGHT = "correct horse battery"


class CountingHasher(PasswordHasher):
    """argon2 made cheap for tests (memory and time), counting its verifications; `delay` stands in
    for the real cost, so that requests overlap as they do in production."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.delay, self.verified = delay, []
        self._lock = threading.Lock()

    def verify(self, hash: str, password: str) -> bool:
        with self._lock:
            self.verified.append(hash)
        time.sleep(self.delay)
        return super().verify(hash, password)


def sign_in(http: TestClient, login: str, password: str, **headers: str):
    return http.post(
        "/v1/sessions",
        json={"method": "password", "login": login, "password": password},
        headers=headers,
    )


@pytest.fixture
def fast(identity: Identity) -> Identity:
    identity.app.hasher = CountingHasher()
    return identity


# -- one budget per account, however the login is written ------------------------------------------

SPELLINGS = [
    "13800138000",
    "+8613800138000",
    "008613800138000",
    "138-0013-8000",
    "(138) 0013 8000",
    "+86 138 0013 8000",
    "86 13800138000",
    "１３８００１３８０００",
    "138.0013.8000",
    "tel:+86-138-0013-8000",
]


def test_writing_the_phone_another_way_gives_no_fresh_tries(fast: Identity):
    fast.register("13800138000", RIGHT)
    for spelling in SPELLINGS[:5]:
        assert sign_in(fast.http, spelling, "wrong guess 1").status_code == 401
    for spelling in SPELLINGS:
        refused = sign_in(fast.http, spelling, RIGHT)
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            429,
            "TOO_MANY_ATTEMPTS",
        ), spelling


def test_the_email_login_shares_its_accounts_budget_in_any_case(fast: Identity):
    fast.with_email("13800138001", "me@example.com")
    for login in (
        "ME@example.com",
        " me@EXAMPLE.com",
        "Me@Example.Com",
        "me@example.com",
        "13800138001",
    ):
        assert sign_in(fast.http, login, "wrong guess").status_code == 401
    assert sign_in(fast.http, "me@example.com", RIGHT).status_code == 429
    assert sign_in(fast.http, "+86 138 0013 8001", RIGHT).status_code == 429


def test_a_login_that_is_neither_phone_nor_email_still_has_one_budget(fast: Identity):
    for login in ("admin", "ADMIN", " Admin ", "ad min", "aDmIn"):
        assert sign_in(fast.http, login, "wrong guess").status_code == 401
    assert sign_in(fast.http, "admin", "another guess").status_code == 429


# -- many at once ------------------------------------------------------------------------------


def test_thirty_parallel_wrong_passwords_get_no_more_than_five_tries(identity: Identity):
    identity.app.hasher = CountingHasher(delay=0.05)  # each verification overlaps the others
    identity.register("13800138002", RIGHT)
    start = threading.Barrier(30)

    def guess(n: int) -> int:
        start.wait()
        return sign_in(identity.http, "13800138002", f"wrong guess {n}").status_code

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert statuses.count(401) <= 5 and statuses.count(401) + statuses.count(429) == 30, statuses
    # what the burst did not use can still be used one by one, and then no more:
    # five failures in all
    for _ in range(5 - statuses.count(401)):
        assert sign_in(identity.http, "13800138002", "one more guess").status_code == 401
    assert sign_in(identity.http, "13800138002", RIGHT).status_code == 429


# -- the client address ------------------------------------------------------------------------


def from_peer(identity: Identity, peer: str, trusted: str = "") -> TestClient:
    identity.settings.trusted_proxies = trusted
    return TestClient(create_http_app(identity.service), client=(peer, 50000))


def test_a_forged_x_forwarded_for_gives_no_fresh_per_address_budget(tmp_path):
    identity = Identity(tmp_path, dev_code=None)
    identity.app.hasher = CountingHasher()
    attacker = from_peer(
        identity, "203.0.113.9", trusted="127.0.0.1"
    )  # the attacker is not the portal
    for n in range(20):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert sign_in(attacker, f"1390013{9000 + n}", "wrong guess", **forged).status_code == 401
    blocked = sign_in(
        attacker, "13900139099", "wrong guess", **{"X-Forwarded-For": "198.51.100.99"}
    )
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "TOO_MANY_ATTEMPTS")


def test_behind_the_trusted_portal_each_browser_has_its_own_budget(tmp_path):
    identity = Identity(tmp_path, dev_code=None)
    identity.app.hasher = CountingHasher()
    portal = from_peer(identity, "127.0.0.1", trusted="127.0.0.1")
    for n in range(20):
        sign_in(portal, f"1390013{9100 + n}", "wrong guess", **{"X-Forwarded-For": "198.51.100.1"})
    assert (
        sign_in(portal, "13900139199", "x", **{"X-Forwarded-For": "198.51.100.1"}).status_code
        == 429
    )
    assert (
        sign_in(portal, "13900139199", "x", **{"X-Forwarded-For": "198.51.100.2"}).status_code
        == 401
    )
    # a browser that writes its own header in front of the one the portal adds is still itself
    spoofed = {"X-Forwarded-For": "10.10.10.10, 198.51.100.1"}
    assert sign_in(portal, "13900139198", "x", **spoofed).status_code == 429


def test_sms_codes_per_address_count_the_browser_behind_the_portal(tmp_path):
    identity = Identity(tmp_path, dev_code=None)
    portal = from_peer(identity, "127.0.0.1", trusted="127.0.0.1")
    for n in range(10):
        assert (
            portal.post(
                "/v1/sms-codes",
                json={"phone": f"1390013{9200 + n}"},
                headers={"X-Forwarded-For": "198.51.100.7"},
            ).status_code
            == 202
        )
    busy = portal.post(
        "/v1/sms-codes", json={"phone": "13900139299"}, headers={"X-Forwarded-For": "198.51.100.7"}
    )
    other = portal.post(
        "/v1/sms-codes", json={"phone": "13900139299"}, headers={"X-Forwarded-For": "198.51.100.8"}
    )
    assert (busy.status_code, other.status_code) == (429, 202)


# -- unknown logins ------------------------------------------------------------------------------


def test_an_unknown_login_is_verified_like_a_known_one(fast: Identity):
    fast.with_email("13800138003", "known@example.com")
    hasher = fast.app.hasher
    hasher.verified.clear()
    logins = [
        "13800138003",
        "known@example.com",
        "13900139300",
        "nobody@example.com",
        "not a phone",
        "12345",
    ]
    for login in logins:
        assert sign_in(fast.http, login, "wrong guess").status_code == 401
    assert len(hasher.verified) == len(logins), "argon2 runs for every login, known or not"
    known_hash = hasher.verified[0]
    assert all(h != known_hash for h in hasher.verified[2:]), (
        "unknown logins use a hash of no account"
    )
    assert sign_in(fast.http, "13800138003", RIGHT).status_code == 200


# -- the password policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("12345678", "too_short"),
        ("password", "too_short"),
        ("        ", "blank"),
        ("\t \n", "blank"),
        ("qwertyuiop", "common"),
        ("1qaz2wsx3edc", "common"),
        ("woaini1314", "common"),
        ("iloveyou2024", "common"),
        ("Password123", "common"),
        ("password-1", "common"),
        ("aaaaaaaaaaaa", "common"),
        ("1212121212", "common"),
        ("13800138004", "contains_login"),
        ("me+13800138004", "contains_login"),
        ("x" * 129, "too_long"),
    ],
)
def test_registration_refuses_a_weak_password_naming_the_rule(
    identity: Identity, password: str, rule: str
):
    response = identity.http.post(
        "/v1/accounts", json={"phone": "13800138004", "password": password, "sms_code": "000000"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "WEAK_PASSWORD" and response.json()["error"][
        "details"
    ] == {"rule": rule}


@pytest.mark.parametrize(
    "password", [RIGHT, "Tr0ub4dor&3x", "我的密码是一句很长的话", "ten chars!"]
)
def test_a_long_uncommon_password_is_accepted(password: str):
    assert weakness(password, "+8613800138005") is None


def test_a_weak_password_does_not_use_up_the_sms_code(tmp_path):
    sent: list[str] = []
    identity = Identity(
        tmp_path, dev_code=None, sms=type("Sms", (), {"send": lambda _, p, m: sent.append(m)})()
    )
    identity.http.post("/v1/sms-codes", json={"phone": "13800138006"})
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", sent[0])
    weak = {"phone": "13800138006", "password": "qwertyuiop", "sms_code": code}
    assert identity.http.post("/v1/accounts", json=weak).json()["error"]["code"] == "WEAK_PASSWORD"
    assert identity.http.post("/v1/accounts", json={**weak, "password": RIGHT}).status_code == 201


def test_the_cli_refuses_a_reviewer_with_a_weak_password(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["reviewer", "create", "--phone", "13800138007", "--password", "woaini1314"],
        env={"IPP_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 1 and "WEAK_PASSWORD" in result.output


def test_passwords_are_hashed_at_full_cost_outside_tests(tmp_path):
    """The unit tier's identity uses a cheap argon2; the application's own is argon2id
    at its full cost."""
    from argon2 import Type

    from services.identity.application import IdentityApplication
    from shared.kit.settings import Settings

    hasher = IdentityApplication(Settings(service="identity", data_dir=tmp_path)).hasher
    assert (hasher.type, hasher.time_cost, hasher.memory_cost) == (Type.ID, 3, 65536)
