"""Filing a complaint: JSON with target URLs, or multipart with the targets as a CSV file.

`POST /v1/complaints` takes either body: `application/json` {right_id, infringement_type, targets:
[{url}], description, evidence: [blob_id]}, or `multipart/form-data` with the same fields as form
fields (evidence repeated) and a file `targets_csv` (a column `url`, header row optional, UTF-8 with
or without BOM) — one step, as a user filing a spreadsheet of listings expects. `POST
/v1/complaints/targets/parse` reads the same file and returns the targets it would file, for a
preview before filing. An invalid row is 422 INVALID_TARGET with details {row, url, reason}; a URL
is at most 2048 bytes (services/complaints/domain/ targets.py bounds a complaint so its
ComplaintFiled event fits in one Kafka record).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from starlette.datastructures import FormData, UploadFile

from services.complaints.application import ComplaintsApplication, invalid_target
from services.complaints.domain.errors import (
    RightNotUsable,
    TargetsCsvRequired,
    TargetsCsvTooLarge,
    ValidationFailed,
)
from services.complaints.domain.targets import MAX_TARGETS, MAX_URL_BYTES, InvalidTarget
from services.complaints.entrypoints.http import Complaints
from shared.kit.auth import Principal
from shared.kit.http.auth import CurrentPrincipal
from shared.kit.waiting import eventually

router = APIRouter(tags=["complaints"])
RIGHT_WAIT_SECONDS = 5.0
MAX_CSV_BYTES = 1024 * 1024
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
CSV_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["targets_csv"],
            "properties": {"targets_csv": {"type": "string", "format": "binary"}},
        }
    }
}


class TargetIn(BaseModel):
    url: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_BYTES)
    ]


class ComplaintIn(BaseModel):
    right_id: Text
    infringement_type: Text
    targets: list[TargetIn] = Field(min_length=1, max_length=MAX_TARGETS * 2)
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    evidence: list[BlobId] = Field(default_factory=list, max_length=20)


def inlined(schema: dict) -> dict:
    """A pydantic JSON schema with its $defs put in place, so it stands alone inside an
    OpenAPI operation."""
    defs = schema.pop("$defs", {})

    def walk(node: object) -> object:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        return [walk(v) for v in node] if isinstance(node, list) else node

    return walk(schema)


FORM_FIELDS = {
    "right_id": {"type": "string"},
    "infringement_type": {"type": "string"},
    "description": {"type": "string"},
    "evidence": {"type": "array", "items": {"type": "string"}},
}
FILING_BODY = {
    "application/json": {"schema": inlined(ComplaintIn.model_json_schema())},
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["right_id", "infringement_type", "targets_csv"],
            "properties": {**FORM_FIELDS, "targets_csv": {"type": "string", "format": "binary"}},
        }
    },
}


def too_long_target(exc: ValidationError) -> InvalidTarget | None:
    """A target URL over MAX_URL_BYTES characters (so over as many bytes): INVALID_TARGET
    with its row, as any."""
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if error["type"] == "string_too_long" and loc[:1] == ("targets",) and loc[-1:] == ("url",):
            return InvalidTarget(str(error["input"]), "too long", int(loc[1]) + 1)
    return None


def validated(data: object) -> ComplaintIn:
    try:
        return ComplaintIn.model_validate(data)
    except ValidationError as exc:
        too_long = too_long_target(exc)
        if too_long is not None:
            raise invalid_target(too_long) from exc
        raise RequestValidationError(exc.errors()) from exc


async def csv_content(form: FormData) -> bytes:
    upload = form.get("targets_csv")
    if not isinstance(upload, UploadFile):
        raise TargetsCsvRequired("Attach the targets as a file field named targets_csv.")
    content = await upload.read(MAX_CSV_BYTES + 1)
    if len(content) > MAX_CSV_BYTES:
        raise TargetsCsvTooLarge(f"The targets file may be at most {MAX_CSV_BYTES} bytes.")
    return content


async def complaint_from(request: Request, app: ComplaintsApplication) -> ComplaintIn:
    """The filing, from a JSON body or from a form with a targets CSV file."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            return validated(await request.json())
        except ValueError as exc:
            raise ValidationFailed("The body is not JSON.") from exc
    form = await request.form(max_files=1, max_fields=50)
    targets = await asyncio.to_thread(app.targets_from_csv, await csv_content(form))
    return validated(
        {
            "right_id": form.get("right_id"),
            "infringement_type": form.get("infringement_type"),
            "description": form.get("description") or "",
            "evidence": form.getlist("evidence"),
            "targets": [{"url": t.url} for t in targets],
        }
    )


async def usable_right(app: ComplaintsApplication, who: Principal, right_id: str) -> dict:
    right = await eventually(lambda: app.usable_right(who.account_id, right_id), RIGHT_WAIT_SECONDS)
    if right is None:
        raise RightNotUsable(
            "This right is not known to the complaints service.",
            {"right_id": right_id, "reason": "unknown"},
        )
    return right


@router.post(
    "/v1/complaints", status_code=201, openapi_extra={"requestBody": {"content": FILING_BODY}}
)
async def file_complaint(who: CurrentPrincipal, request: Request, app: Complaints) -> dict:
    """File a complaint (JSON, or multipart with a `targets_csv` file): 201
    {complaint_id, status}."""
    body = await complaint_from(request, app)
    evidence = [app.blobs.document(b, who.account_id, "evidence") for b in body.evidence]
    right = await usable_right(app, who, body.right_id)
    complaint_id = await asyncio.to_thread(
        app.file,
        who.account_id,
        right,
        body.infringement_type,
        [t.url for t in body.targets],
        body.description,
        evidence,
    )
    return {"complaint_id": complaint_id, "status": "submitted"}


@router.post("/v1/complaints/targets/parse", openapi_extra={"requestBody": {"content": CSV_BODY}})
async def parse_targets(who: CurrentPrincipal, request: Request, app: Complaints) -> dict:
    """The targets a CSV file names, validated and merged, as they would be filed."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise TargetsCsvRequired("Send multipart/form-data with a file field targets_csv.")
    content = await csv_content(await request.form(max_files=1, max_fields=5))
    targets = await asyncio.to_thread(app.targets_from_csv, content)
    return {
        "count": len(targets),
        "targets": [
            {"url": t.url, "listing_id": t.listing_id, "shop_id": t.shop_id} for t in targets
        ],
    }
