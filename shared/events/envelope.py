"""The CloudEvents 1.0 envelope (structured JSON mode) every IPP record carries."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

CONTENT_TYPE = "application/cloudevents+json"
_ID_NAMESPACE = uuid.UUID("5b0f7f2e-3a51-4a55-9d0e-1f3c0d2a9e10")


def event_id_for(source: str, originator_id: uuid.UUID | str, version: int, index: int = 0) -> str:
    """A deterministic event id, so a republished domain event keeps its id and
    consumers drop it."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{source}/{originator_id}/{version}/{index}"))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CloudEvent(BaseModel):
    # pydantic makes this docstring the committed JSON Schema's description: keep its text
    """A CloudEvents 1.0 JSON object with IPP's correlation extensions. Other extension attributes are allowed
    (CloudEvents consumers must tolerate them) and ignored."""  # noqa: E501

    model_config = ConfigDict(extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str = Field(pattern=r"^ipp/[a-z]+$")
    type: str = Field(pattern=r"^ipp\.[A-Za-z]+\.v[0-9]+$")
    subject: str = Field(min_length=1)
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str | None = None
    causationid: str | None = None
    data: dict[str, Any]

    @field_serializer("time")
    def _time(self, value: datetime) -> str:
        return rfc3339(value)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> CloudEvent:
        """Parse a record value; raises pydantic.ValidationError when it is not a CloudEvent."""
        return cls.model_validate_json(raw or b"")
