"""Access tokens: the identity service signs (Ed25519), every service verifies with its JWKS."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, Request

from shared.kit.http import ApiError

ISSUER = "ipp/identity"
AUDIENCE = "ipp"


@dataclass(frozen=True)
class Principal:
    account_id: str
    roles: tuple[str, ...]

    def require(self, role: str) -> None:
        if role not in self.roles:
            raise ApiError(403, "FORBIDDEN", f"This needs the {role} role.")


class TokenSigner:
    """Holds the identity service's private key (created once under the data directory)."""

    def __init__(self, key_path: Path) -> None:
        if not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            key_path.write_bytes(pem)
            key_path.chmod(0o600)
        self.private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        self.public_key = self.private_key.public_key()
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.kid = hashlib.sha256(raw).hexdigest()[:16]

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.public_key))
        return {"keys": [{**jwk, "use": "sig", "alg": "EdDSA", "kid": self.kid}]}

    def issue(self, account_id: str, roles: list[str], minutes: int) -> tuple[str, int]:
        now = int(time.time())
        claims = {"sub": account_id, "roles": roles, "iat": now, "exp": now + minutes * 60,
                  "iss": ISSUER, "aud": AUDIENCE}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid}), minutes * 60


class TokenVerifier:
    """Verifies bearer tokens against the identity service's JWKS (fetched once, then cached)."""

    def __init__(self, jwks_url: str | None = None, public_key: object | None = None) -> None:
        self.client = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self.public_key = public_key

    def verify(self, token: str) -> Principal:
        try:
            key = self.public_key or self.client.get_signing_key_from_jwt(token).key  # type: ignore[union-attr]
            claims = jwt.decode(token, key, algorithms=["EdDSA"], audience=AUDIENCE, issuer=ISSUER)
        except jwt.PyJWKClientError as exc:
            raise ApiError(503, "AUTH_UNAVAILABLE", "Token keys cannot be fetched right now.") from exc
        except jwt.PyJWTError as exc:
            raise ApiError(401, "INVALID_TOKEN", "The access token is invalid or expired.") from exc
        return Principal(account_id=claims["sub"], roles=tuple(claims.get("roles", ())))


def principal(request: Request) -> Principal:
    """FastAPI dependency: the signed-in account, from `Authorization: Bearer …`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "UNAUTHENTICATED", "Sign in first: send Authorization: Bearer <token>.")
    return request.app.state.verifier.verify(token.strip())


CurrentPrincipal = Annotated[Principal, Depends(principal)]
