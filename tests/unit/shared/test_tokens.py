"""Signing keys from one key file with rotation, tokens that must be complete, unknown
keys, and revocations.

A service's verifier reaches identity through httpx.MockTransport: either a fake identity (counting
its calls) or the real identity app in a TestClient.
"""

from __future__ import annotations

import asyncio
import json
import stat
import time

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.cli import app as cli
from services.identity.adapters import signing_keys
from services.identity.main import bootstrap
from shared.kit.auth import AUDIENCE, ISSUER, SigningKey, TokenSigner, TokenVerifier, pem_key
from shared.kit.errors import ServiceError
from shared.kit.http import status_of
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.databases import migrated

IDENTITY = "http://identity.test"


def identity_service(tmp_path, **overrides):
    settings = Settings(service="identity", data_dir=tmp_path, dev_code="000000", **overrides)
    service = bootstrap(migrated(settings))
    return service, TestClient(create_http_app(service))


def through(client: TestClient) -> httpx.MockTransport:
    """A transport that carries a service's calls to identity into identity's own app."""
    return httpx.MockTransport(
        lambda request: client.request(request.method, request.url.path, params=request.url.params)
    )


def refused(verifier: TokenVerifier, token: str) -> tuple[int, str]:
    with pytest.raises(ServiceError) as failure:
        verifier.verify(token)
    return status_of(failure.value), failure.value.code


def forged(key: SigningKey, **claims) -> str:
    """A token signed by `key` (a real one, so only what the claims say can make it fail)."""
    now = int(time.time())
    body = {
        "sub": "acct-1",
        "roles": ["holder"],
        "iat": now,
        "exp": now + 300,
        "jti": "j-1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        **claims,
    }
    return jwt.encode(
        {k: v for k, v in body.items() if v is not None},
        key.private_key,
        algorithm="EdDSA",
        headers={"kid": key.kid},
    )


def test_identity_makes_its_key_file_on_first_start_readable_by_it_alone(tmp_path):
    service, client = identity_service(tmp_path)
    path = tmp_path / "identity" / "jwt-keys.json"
    entries = json.loads(path.read_text())["keys"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [set(e) for e in entries] == [{"kid", "created_at", "private_key_pem"}]
    assert [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]] == [
        entries[0]["kid"]
    ]
    token, _ = service.state["signer"].issue("acct-1", ["holder"], 5)
    assert jwt.get_unverified_header(token)["kid"] == entries[0]["kid"]
    assert "PRIVATE" not in client.get("/.well-known/jwks.json").text


def test_production_does_not_make_a_key_file_of_its_own(tmp_path):
    settings = Settings(
        service="identity",
        data_dir=tmp_path,
        env="production",
        secret_key="s" * 40,
        jwt_keys_file=tmp_path / "keys.json",
    )
    with pytest.raises(RuntimeError, match="ipp keys rotate"):
        signing_keys.KeyFile.of(settings)
    assert not (tmp_path / "keys.json").exists()


def test_after_a_rotation_old_tokens_verify_and_new_tokens_use_the_new_key_everywhere(tmp_path):
    service, identity = identity_service(tmp_path)
    signer = service.state["signer"]
    elsewhere = TokenVerifier.of_identity(
        IDENTITY, through(identity)
    )  # another service, JWKS cached
    old_token, _ = signer.issue("acct-1", ["holder"], 5)
    assert elsewhere.verify(old_token).account_id == "acct-1"

    result = CliRunner().invoke(
        cli, ["keys", "rotate", "--file", str(tmp_path / "identity" / "jwt-keys.json")]
    )
    assert result.exit_code == 0, result.output
    new_token, _ = signer.issue("acct-2", ["holder"], 5)  # the running signer reread the file

    assert (
        jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    )
    assert len(identity.get("/.well-known/jwks.json").json()["keys"]) == 2
    assert elsewhere.verify(new_token).account_id == "acct-2"  # unknown kid: refetched, found
    assert elsewhere.verify(old_token).account_id == "acct-1"
    assert service.verifier.verify(old_token).account_id == "acct-1"


def test_rotation_drops_only_keys_retired_longer_ago_than_a_token_lives(tmp_path):
    path, start = tmp_path / "keys.json", 1_800_000_000.0
    first, _ = signing_keys.rotate(path, keep_seconds=3600, now=start)
    second, dropped = signing_keys.rotate(path, keep_seconds=3600, now=start + 600)
    assert dropped == [] and [k.kid for k in signing_keys.read_keys(path)] == [
        second.kid,
        first.kid,
    ]
    # the first key stopped signing at start + 600: its last tokens live until start + 4200
    third, dropped = signing_keys.rotate(path, keep_seconds=3600, now=start + 4100)
    assert dropped == [] and len(signing_keys.read_keys(path)) == 3
    fourth, dropped = signing_keys.rotate(path, keep_seconds=3600, now=start + 4300)
    assert dropped == [first.kid]
    assert [k.kid for k in signing_keys.read_keys(path)] == [fourth.kid, third.kid, second.kid]


def test_the_rotate_command_makes_a_private_file_and_puts_the_new_key_first(tmp_path):
    path = tmp_path / "secrets" / "jwt-keys.json"
    first = CliRunner().invoke(cli, ["keys", "rotate", "--file", str(path)])
    second = CliRunner().invoke(
        cli, ["keys", "rotate", "--file", str(path), "--keep-minutes", "90"]
    )
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    kids = [e["kid"] for e in json.loads(path.read_text())["keys"]]
    assert len(kids) == 2 and kids[0] in second.output and kids[1] in first.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in first.output + second.output
    assert [p.name for p in path.parent.iterdir()] == [
        "jwt-keys.json"
    ]  # no temporary file left behind


def test_a_broken_key_file_is_refused_by_the_rotate_command(tmp_path):
    path = tmp_path / "jwt-keys.json"
    path.write_text('{"keys": "nope"}')
    result = CliRunner().invoke(cli, ["keys", "rotate", "--file", str(path)])
    assert result.exit_code == 1 and path.read_text() == '{"keys": "nope"}'


def test_the_old_per_directory_key_is_migrated_so_its_sessions_survive(tmp_path):
    legacy = TokenSigner(
        tmp_path / "identity" / "jwt-ed25519.pem"
    )  # what identity made before key files
    token, _ = legacy.issue("acct-1", ["holder"], 5)
    service, _ = identity_service(tmp_path)
    keys = signing_keys.read_keys(tmp_path / "identity" / "jwt-keys.json")
    assert [k.kid for k in keys] == [legacy.kid]
    assert service.verifier.verify(token).account_id == "acct-1"


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti"])
def test_a_token_without_a_required_claim_is_refused(tmp_path, missing):
    service, client = identity_service(tmp_path)
    key = service.state["signer"].keys[0]
    assert service.verifier.verify(forged(key)).account_id == "acct-1"  # complete, it would pass
    response = client.get(
        "/v1/me", headers={"Authorization": f"Bearer {forged(key, **{missing: None})}"}
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_TOKEN"


class FakeIdentity:
    """Identity's two public feeds, counting the JWKS fetches; `down` makes it unreachable."""

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer
        self.jwks_fetches = 0
        self.down = False
        self.revoked = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/jwks.json":
            self.jwks_fetches += 1
        if self.down:
            raise httpx.ConnectError("identity is away", request=request)
        if request.url.path == "/.well-known/jwks.json":
            return httpx.Response(200, json=self.signer.jwks())
        after = int(request.url.params["after"])
        return httpx.Response(200, json=[r for r in self.revoked if r["seq"] > after][:1000])


@pytest.fixture
def fake(tmp_path) -> FakeIdentity:
    return FakeIdentity(TokenSigner(tmp_path / "signing.pem"))


def test_an_unknown_kid_is_401_after_one_refetch_not_a_fetch_per_request(tmp_path, fake):
    verifier = TokenVerifier.of_identity(IDENTITY, httpx.MockTransport(fake))
    verifier.keys.refetch_seconds = 3600  # type: ignore[attr-defined]
    good, _ = fake.signer.issue("acct-1", ["holder"], 5)
    assert verifier.verify(good).account_id == "acct-1" and fake.jwks_fetches == 1
    stranger = signing_keys.new_key()
    assert refused(verifier, forged(stranger)) == (401, "INVALID_TOKEN")
    assert fake.jwks_fetches == 2
    assert refused(verifier, forged(stranger, jti="j-2")) == (401, "INVALID_TOKEN")
    assert fake.jwks_fetches == 2  # a flood of forged kids costs identity nothing more


def test_only_an_unreachable_jwks_is_503_and_known_keys_outlive_an_outage(tmp_path, fake):
    verifier = TokenVerifier.of_identity(IDENTITY, httpx.MockTransport(fake))
    token, _ = fake.signer.issue("acct-1", ["holder"], 5)
    fake.down = True
    assert refused(verifier, token) == (503, "AUTH_UNAVAILABLE")
    assert (
        refused(verifier, token) == (503, "AUTH_UNAVAILABLE") and fake.jwks_fetches == 1
    )  # no queue on identity
    fake.down, verifier.keys.retry_seconds = False, 0  # type: ignore[attr-defined]  # identity is back, later
    assert verifier.verify(token).account_id == "acct-1"
    verifier.keys.lifespan = 0  # type: ignore[attr-defined]  # the cached set is stale: identity is asked again
    fake.down = True
    assert verifier.verify(token).account_id == "acct-1"


def test_a_verifier_fed_a_revocation_list_refuses_that_jti(tmp_path, fake):
    verifier = TokenVerifier.of_identity(IDENTITY, httpx.MockTransport(fake))
    signed_out, _ = fake.signer.issue("acct-1", ["holder"], 5)
    other, _ = fake.signer.issue("acct-1", ["holder"], 5)
    claims = jwt.decode(signed_out, options={"verify_signature": False})
    exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))
    fake.revoked = [{"seq": 1, "jti": claims["jti"], "expires_at": exp}]
    assert verifier.verify(
        signed_out
    )  # before the first fetch: accepted as before sign-out existed
    verifier.revoked.refresh()  # type: ignore[attr-defined]
    assert refused(verifier, signed_out) == (401, "INVALID_TOKEN")
    assert verifier.verify(other).account_id == "acct-1"
    fake.down = True
    with pytest.raises(httpx.ConnectError):
        verifier.revoked.refresh()  # type: ignore[attr-defined]
    assert refused(verifier, signed_out) == (401, "INVALID_TOKEN")  # a failed poll forgets nothing


def test_the_revocation_feed_is_read_page_by_page_and_forgets_expired_tokens(tmp_path, fake):
    verifier = TokenVerifier.of_identity(IDENTITY, httpx.MockTransport(fake))
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    fake.revoked = [{"seq": n, "jti": f"j-{n}", "expires_at": soon} for n in range(1, 2502)]
    fake.revoked.append({"seq": 2502, "jti": "gone", "expires_at": past})
    feed = verifier.revoked
    feed.refresh()  # type: ignore[attr-defined]
    assert feed("j-1") and feed("j-2501") and not feed("gone")  # type: ignore[operator]
    assert feed.after == 2502 and "gone" not in feed.revoked  # type: ignore[attr-defined]


def test_the_runtime_loop_follows_revocations_in_the_background(tmp_path, fake):
    verifier = TokenVerifier.of_identity(IDENTITY, httpx.MockTransport(fake))
    token, _ = fake.signer.issue("acct-1", ["holder"], 5)
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    fake.revoked = [{"seq": 7, "jti": jti, "expires_at": "2999-01-01T00:00:00Z"}]

    async def follow_a_while() -> None:
        (loop,) = verifier.loops(every=0.01).values()
        task = asyncio.create_task(loop())
        for _ in range(500):
            if verifier.revoked.loaded:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(follow_a_while())
    assert refused(verifier, token) == (401, "INVALID_TOKEN")


def test_a_single_pem_signer_still_works_for_tools_and_tests(tmp_path):
    signer = TokenSigner(tmp_path / "k.pem")
    token, _ = signer.issue("acct-1", ["reviewer"], 5)
    assert TokenVerifier(public_key=signer.public_key).verify(token).roles == ("reviewer",)
    assert pem_key(tmp_path / "k.pem").kid == signer.kid
