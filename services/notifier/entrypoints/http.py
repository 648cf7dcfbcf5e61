"""The notifier's HTTP routes beside the kit's health and metrics: the
notifications about a complaint.

Reviewers and admins read them for any complaint; an account reads those of the complaints it
filed (the notifier knows who filed each one from ComplaintFiled). To anyone else a
complaint's notifications answer 404, as an unknown complaint does, so the route tells nobody
which complaints exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.notifier.application import NotifierApplication
from services.notifier.domain import errors
from services.notifier.domain.errors import ComplaintNotFound
from shared.kit.errors import ServiceError
from shared.kit.http.auth import CurrentPrincipal

# every refusal of notifier and its HTTP status (the JSON error contract); the kit's and reviewing's
# own refusals (tokens, files, review tasks) take their kind's status from
# shared/kit/http/__init__.py
STATUSES: dict[type[ServiceError], int] = {
    errors.ComplaintNotFound: 404,
}

router = APIRouter(prefix="/v1", tags=["notifications"])
STAFF = ("reviewer", "admin")


def application(request: Request) -> NotifierApplication:
    return request.app.state.notifier


Notifier = Annotated[NotifierApplication, Depends(application)]


class NotificationView(BaseModel):
    notification_id: str
    kind: str
    subject_id: str
    status: str  # waiting | pending | sent | failed
    recipient: str | None  # masked: a***@example.com
    attempts: int
    last_error: str | None  # addresses masked
    created_at: str
    updated_at: str


@router.get("/notifications", response_model=list[NotificationView])
def notifications(
    notifier: Notifier,
    who: CurrentPrincipal,
    complaint_id: str = Query(min_length=1, max_length=64),
) -> list[dict]:
    """The notifications about a complaint and their status; addresses only ever masked."""
    staff = any(role in who.roles for role in STAFF)
    if not staff and notifier.complainant_of(complaint_id) != who.account_id:
        raise ComplaintNotFound("No such complaint.")
    return notifier.notifications_about(complaint_id)
