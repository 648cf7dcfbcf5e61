"""Access tokens: the identity service signs (Ed25519, the newest of its keys),
every service verifies.

A token must carry `sub`, `iat`, `exp` and a random `jti`, and be signed by a key the identity
service publishes in its JWKS (`kid`). Sign-out revokes a token by its `jti`: identity refuses it at
once; other services learn it from identity's revocation feed (`RevocationFeed`) within
`IPP_REVOCATION_POLL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.kit.errors import Forbidden, ServiceError, Unauthenticated, Unavailable
from shared.kit.faults import RETRY_AFTER_SECONDS
from shared.kit.logs import log
from shared.kit.tls import tls_context

ISSUER = "ipp/identity"
AUDIENCE = "ipp"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "iss", "aud"]
REVOCATION_PAGE = 1000  # identity's page size: a shorter page is the last one
KeyLookup = Callable[[str | None], Any | None]  # kid -> the public key that verifies it, or None


class NotSignedIn(Unauthenticated):
    """No token came with the request."""

    code = "UNAUTHENTICATED"
    message = "Sign in first: send Authorization: Bearer <token>."


class MissingRole(Forbidden):
    """Signed in, without the role this needs."""

    code = "FORBIDDEN"


class InvalidToken(Unauthenticated):
    """One answer for every token that does not hold (forged, expired, incomplete, unknown
    key, signed out)."""

    code = "INVALID_TOKEN"
    message = "The access token is invalid, expired or signed out."


class AuthUnavailable(Unavailable):
    """Identity's token keys cannot be fetched, and the token's key is not known yet."""

    code = "AUTH_UNAVAILABLE"
    message = "Token keys cannot be fetched right now."

    def __init__(self) -> None:
        super().__init__(retry_after=RETRY_AFTER_SECONDS)


@dataclass(frozen=True)
class Principal:
    account_id: str
    roles: tuple[str, ...]
    token_id: str | None = None  # the token's jti: what sign-out revokes
    expires_at: float | None = None  # the token's exp: how long its revocation must be remembered

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise MissingRole(f"This needs the {role} role.")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created_at: float
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A key's id, from its public half: the same key always gets the same kid (a migrated key
    keeps its tokens)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def pem_key(path: Path, create: bool = False) -> SigningKey:
    """One Ed25519 key from a PKCS#8 PEM file (made first when `create`): the old
    per-directory key's format."""
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return SigningKey(key_id(private_key.public_key()), path.stat().st_mtime, private_key)


class TokenSigner:
    """Signs with the newest key; publishes every key it holds, so tokens of a retired key
    verify until they expire.

    `keys` is a callable giving the current keys, newest first (identity's key file, reread when it
    changes), or a path to a single PEM key, made there if missing (tests and tools)."""

    def __init__(self, keys: Callable[[], Sequence[SigningKey]] | Path) -> None:
        if isinstance(keys, Path):
            single = pem_key(keys, create=True)
            self._keys: Callable[[], Sequence[SigningKey]] = lambda: (single,)
        else:
            self._keys = keys

    @property
    def keys(self) -> Sequence[SigningKey]:
        return self._keys()

    @property
    def kid(self) -> str:
        return self.keys[0].kid

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The signing (newest) key's public half."""
        return self.keys[0].public_key

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {key.kid: key.public_key for key in self.keys}

    def jwks(self) -> dict:
        found = []
        for key in self.keys:
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key))
            found.append({**jwk, "use": "sig", "alg": "EdDSA", "kid": key.kid})
        return {"keys": found}

    def issue(self, account_id: str, roles: list[str], minutes: int) -> tuple[str, int]:
        key, now = self.keys[0], int(time.time())
        claims = {
            "sub": account_id,
            "roles": roles,
            "iat": now,
            "exp": now + minutes * 60,
            "jti": secrets.token_urlsafe(16),
            "iss": ISSUER,
            "aud": AUDIENCE,
        }
        return jwt.encode(
            claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid}
        ), minutes * 60


class RemoteKeys:
    """The identity service's JWKS over HTTP, cached for `lifespan` seconds.

    Not PyJWKClient: its forced refresh for an unknown kid waits out a cooldown that every fetch
    starts (30 s by default, the first fetch included), so a freshly rotated key would be refused,
    and once its set cache expires an identity outage turns even known keys into errors. Here an
    unknown kid refetches the set at once unless an unknown kid already did in the last
    `refetch_seconds` (so forged kids cannot make every request a fetch), and while identity cannot
    be reached the keys fetched before still verify."""

    def __init__(
        self,
        url: str,
        client: httpx.Client,
        lifespan: float = 300.0,
        refetch_seconds: float = 1.0,
        retry_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.client = client
        self.lifespan = lifespan
        self.refetch_seconds = refetch_seconds
        self.retry_seconds = retry_seconds
        self.keys: dict[str, Any] = {}
        self.fetched_at = self.forced_at = self.failed_at = float("-inf")
        self.lock = threading.Lock()

    def __call__(self, kid: str | None) -> Any | None:
        """The public key named `kid`, or None when identity publishes no such key; AUTH_UNAVAILABLE
        if it is away (after a failed fetch, identity is asked again only after `retry_seconds`:
        requests do not queue on it)."""
        with self.lock:
            now = time.monotonic()
            fresh, failing = (
                now - self.fetched_at < self.lifespan,
                now - self.failed_at < self.retry_seconds,
            )
            if kid in self.keys and (fresh or failing):
                return self.keys[kid]
            if fresh:
                if now - self.forced_at < self.refetch_seconds:
                    return None
                self.forced_at = now
            elif failing:
                raise AuthUnavailable()
            try:
                self._fetch()
            except ServiceError:
                self.failed_at = now
                if kid in self.keys:
                    return self.keys[kid]
                raise
            return self.keys.get(kid)

    def _fetch(self) -> None:
        try:
            response = self.client.get(self.url)
            response.raise_for_status()
            found = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            log.warning("auth.jwks_unavailable", url=self.url, error=repr(exc)[:200])
            raise AuthUnavailable() from exc
        self.keys = {
            key.key_id: key.key
            for key in found.keys
            if key.key_id and key.public_key_use in ("sig", None)
        }
        self.fetched_at = time.monotonic()


def _not_a_routine_poll(record: logging.LogRecord) -> bool:
    """httpx logs every request at INFO: the revocation poll's answered ones (every few seconds,
    forever) are not news; its failures are logged by the feed itself."""
    message = record.getMessage()
    return not (
        "/v1/revoked-tokens" in message
        and message.startswith("HTTP Request: GET")
        and " 200 " in message
    )


logging.getLogger("httpx").addFilter(_not_a_routine_poll)


class RevocationFeed:
    """Signed-out tokens, learned from identity's `GET /v1/revoked-tokens?after=<seq>`
    by a background poll.

    Availability over a short window: until the first successful fetch (and for at most one
    poll interval after a sign-out) a service accepts a token as it did before sign-out
    existed; a poll that fails keeps what it knew. Entries are forgotten once their token would
    have expired anyway."""

    def __init__(
        self, url: str, client: httpx.Client, clock: Callable[[], float] = time.time
    ) -> None:
        self.url = url
        self.client = client
        self.clock = clock
        self.revoked: dict[str, float] = {}  # jti -> the token's exp
        self.after = 0
        self.loaded = False

    def __call__(self, jti: str) -> bool:
        expires_at = self.revoked.get(jti)
        return expires_at is not None and expires_at > self.clock()

    def refresh(self) -> None:
        """Fetch every revocation after the last seen (all pages), then forget the expired ones."""
        found, after = dict(self.revoked), self.after
        while True:
            response = self.client.get(self.url, params={"after": after})
            response.raise_for_status()
            page = response.json()
            for row in page:
                found[row["jti"]] = datetime.fromisoformat(
                    row["expires_at"].replace("Z", "+00:00")
                ).timestamp()
                after = max(after, int(row["seq"]))
            if len(page) < REVOCATION_PAGE:
                break
        now = self.clock()
        self.revoked = {j: e for j, e in found.items() if e > now}
        self.after = after
        self.loaded = True

    async def follow(self, every: float) -> None:
        """The background loop: refresh every `every` seconds; identity away only delays
        what is learnt (said in the log after a few failed polls in a row, not while
        identity is still starting)."""
        failures = 0
        while True:
            try:
                await asyncio.to_thread(self.refresh)
                failures = 0
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                failures += 1
                if failures == 3 or failures % 60 == 0:
                    log.warning(
                        "auth.revocations_unavailable",
                        url=self.url,
                        error=repr(exc)[:200],
                        failed_polls=failures,
                    )
            await asyncio.sleep(every)


class TokenVerifier:
    """Verifies bearer tokens: signature by a published key (`kid`), issuer, audience, the required
    claims, and that the token was not signed out.

    Keys come from one of: `public_key` (any kid; tests), `keys` (a callable kid → key;
    identity's own key file), or `jwks_url` (identity's JWKS, see RemoteKeys). `revoked` says
    whether a jti was signed out."""

    def __init__(
        self,
        jwks_url: str | None = None,
        public_key: object | None = None,
        *,
        keys: KeyLookup | None = None,
        revoked: Callable[[str], bool] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        if public_key is not None:
            self.keys: KeyLookup = lambda _kid: public_key
        elif keys is not None:
            self.keys = keys
        elif jwks_url:
            self.keys = RemoteKeys(
                jwks_url, client or httpx.Client(timeout=5.0, verify=tls_context())
            )
        else:
            raise ValueError("a TokenVerifier needs a public key, a key lookup or a JWKS URL")
        self.revoked = revoked or (lambda _jti: False)

    @classmethod
    def of_identity(
        cls, identity_url: str, transport: httpx.BaseTransport | None = None
    ) -> TokenVerifier:
        """A service's verifier: identity's JWKS and revocation feed (`transport` lets a test
        stand in for it)."""
        client = httpx.Client(timeout=5.0, transport=transport, verify=tls_context())
        return cls(
            f"{identity_url}/.well-known/jwks.json",
            revoked=RevocationFeed(f"{identity_url}/v1/revoked-tokens", client),
            client=client,
        )

    def loops(self, every: float) -> dict[str, Callable[[], Any]]:
        """The background loops this verifier needs (following identity's revocations), for
        the runtime to run."""
        if isinstance(self.revoked, RevocationFeed):
            return {"revocations": lambda: self.revoked.follow(every)}  # type: ignore[union-attr]
        return {}

    def verify(self, token: str, check_revoked: bool = True) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys(kid) if kid is None or isinstance(kid, str) else None
            if key is None:
                raise InvalidToken()
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken() from exc
        if not isinstance(claims["jti"], str) or not isinstance(claims["sub"], str):
            raise InvalidToken()
        if check_revoked and self.revoked(claims["jti"]):
            raise InvalidToken()
        return Principal(
            account_id=claims["sub"],
            roles=tuple(claims.get("roles", ())),
            token_id=claims["jti"],
            expires_at=float(claims["exp"]),
        )
