"""The notifier's HTTP routes beside the kit's health and metrics: notifications for operators."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

router = APIRouter(prefix="/v1", tags=["notifications"])


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
def notifications(request: Request, complaint_id: str = Query(min_length=1, max_length=64)) -> list[dict]:
    """The notifications about a complaint and their status; addresses only ever masked."""
    return request.app.state.notifier.notifications_about(complaint_id)
