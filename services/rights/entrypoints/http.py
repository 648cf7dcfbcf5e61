"""Rights' HTTP API (CONTRACT.md, 'Rights (8082)'): parse, hand on to the application, present."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.rights.application import RightsApplication
from services.rights.domain import errors
from services.rights.domain.errors import IdentityNotUsable
from services.rights.domain.model import Right
from services.rights.entrypoints.bodies import RightIn, RightType, Status, command_fields, view
from shared.kit.errors import ServiceError
from shared.kit.http.auth import CurrentPrincipal
from shared.kit.waiting import eventually

# every refusal of rights and its HTTP status (the JSON error contract); the kit's and reviewing's
# own refusals (tokens, files, review tasks) take their kind's status from
# shared/kit/http/__init__.py
STATUSES: dict[type[ServiceError], int] = {
    errors.IdentityNotUsable: 409,
    errors.RightLocked: 409,
    errors.InvalidDetails: 422,
    errors.InvalidRight: 422,
}

router = APIRouter(tags=["rights"])


def application(request: Request) -> RightsApplication:
    return request.app.state.application


Rights = Annotated[RightsApplication, Depends(application)]


def under_review(app: RightsApplication, task: dict) -> dict:
    """A right as its reviewer sees it (shared/review/entrypoints/): its fields, documents
    and history, and whom its identity proves to be the holder (`identity.holder_name`,
    null while unknown)."""
    right = app.found(Right, task["material_id"], "RIGHT_NOT_FOUND")
    return view(right) | {
        "account_id": right.account_id,
        "history": app.history(right),
        "identity": app.known_identity(right.identity_id),
    }


async def usable_identity(app: RightsApplication, account_id: str, identity_id: str) -> None:
    """A right names an identity of its own account: 409 IDENTITY_NOT_USABLE for someone
    else's, or for one this service has not heard of (after waiting a moment for an identity
    submitted just now)."""
    found = await eventually(
        lambda: app.usable_identity(account_id, identity_id), app.identity_wait_seconds
    )
    if found is None:
        raise IdentityNotUsable(
            "Submit your identity first: a right names one of yours.",
            {"identity_id": identity_id, "reason": "unknown"},
        )


@router.post("/v1/rights", status_code=201)
async def register_right(body: RightIn, who: CurrentPrincipal, app: Rights) -> dict:
    """Register a right: 422 at once for a plain format error, else `submitted`,
    reviewed on a complaint."""
    fields = command_fields(app, who.account_id, body)
    app.admit(fields)
    await usable_identity(app, who.account_id, body.identity_id)
    right_id = await asyncio.to_thread(app.register, who.account_id, **fields)
    return {"right_id": right_id, "status": "submitted"}


@router.get("/v1/rights")
def my_rights(
    who: CurrentPrincipal,
    app: Rights,
    response: Response,
    right_type: RightType | None = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict]:
    """My rights, newest first; the header X-Total-Count says how many match the filters in all."""
    page, total = app.my_rights(who.account_id, right_type, status, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return page


@router.get("/v1/rights/{right_id}")
def get_right(right_id: str, who: CurrentPrincipal, app: Rights) -> dict:
    """One right with its review reasons and its history (every step with its time)."""
    right = app.right(who.account_id, right_id)
    return view(right) | {"history": app.history(right)}


@router.put("/v1/rights/{right_id}")
async def amend_right(right_id: str, body: RightIn, who: CurrentPrincipal, app: Rights) -> dict:
    """Amend a rejected right (a new revision, reviewed afresh); 409 RIGHT_LOCKED
    before anything else."""
    await asyncio.to_thread(app.editable_right, who.account_id, right_id)
    fields = command_fields(app, who.account_id, body)
    app.admit(fields)
    await usable_identity(app, who.account_id, body.identity_id)
    return view(await asyncio.to_thread(app.amend, who.account_id, right_id, **fields))
