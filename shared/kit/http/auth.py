"""The signed-in account as a FastAPI dependency: `who: CurrentPrincipal` in a handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.kit.auth import NotSignedIn, Principal


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotSignedIn()
    return token.strip()


def principal(request: Request) -> Principal:
    """FastAPI dependency: the signed-in account, from `Authorization: Bearer …`."""
    return request.app.state.verifier.verify(bearer_token(request))


CurrentPrincipal = Annotated[Principal, Depends(principal)]
