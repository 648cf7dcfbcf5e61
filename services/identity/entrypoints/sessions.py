"""Sign-out and the feed of signed-out tokens (CONTRACT.md, 'Identity (8081)').

`DELETE /v1/sessions/current` revokes the bearer token by its jti until its exp; signing out a token
already signed out is 204 again (the portal may send it twice). `GET /v1/revoked-tokens?after=<seq>`
(public: a jti alone grants nothing) is what other services poll to refuse signed-out tokens too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.identity.adapters.revocations import PAGE
from services.identity.entrypoints.http import Revoked, Verifier
from shared.kit.http.auth import bearer_token

router = APIRouter(tags=["identity"])


@router.delete("/v1/sessions/current", status_code=204)
def sign_out(request: Request, verifier: Verifier, revocations: Revoked) -> Response:
    who = verifier.verify(bearer_token(request), check_revoked=False)
    revocations.revoke(who.token_id, who.expires_at)
    return Response(status_code=204)


@router.get("/v1/revoked-tokens")
def revoked_tokens(
    revocations: Revoked, after: Annotated[int, Query(ge=0, le=2**62)] = 0
) -> list[dict]:
    """Unexpired revocations with seq > `after`, ascending, at most 1000: ask again after
    the last seq seen."""
    return revocations.after(after, PAGE)
