"""Filing a complaint from a right (targets pasted or from a CSV) and
投诉维权-我的投诉 (my complaints)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from services.portal.adapters.api import Api, ApiFailure
from services.portal.domain.i18n import t
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import api, form_error, lang_of, redirect, render
from shared.events.targets_csv import UnreadableCsv, csv_rows
from shared.events.vocabulary import INFRINGEMENT_TYPES

router = APIRouter(route_class=PortalRoute, tags=["pages"])
Optional = Annotated[str, Form()]
COMPLAINT_FIELDS = {
    "targets": "targets",
    "url": "targets",
    "infringement_type": "infringement_type",
    "description": "description",
    "evidence": "evidence",
}


def target_urls(pasted: str, csv_bytes: bytes) -> list[str] | None:
    """One URL per pasted line, plus each URL of the CSV file read as the complaints API
    reads it (the contract's format); None when the file is no UTF-8 CSV, which the API then
    says in its own words."""
    urls = [line.strip() for line in pasted.splitlines() if line.strip()]
    if csv_bytes:
        try:
            urls += [url for _, url in csv_rows(csv_bytes) if url]
        except UnreadableCsv:
            return None
    return urls


async def usable_rights(client: Api) -> list[dict]:
    rights = await client.call("GET", "rights", "/v1/rights")
    return [r for r in rights if r["status"] not in ("rejected", "expired")]


@router.get("/complaints/new")
async def new_complaint(request: Request, right_id: str = "") -> Response:
    client = api(request)
    rights = await usable_rights(client)
    return render(
        request,
        "complaint_form.html",
        rights=rights,
        types=INFRINGEMENT_TYPES,
        values={"right_id": right_id},
    )


@router.post("/complaints/new")
async def file_complaint(
    request: Request,
    right_id: Annotated[str, Form()],
    infringement_type: Optional = "",
    targets: Optional = "",
    description: Optional = "",
    targets_csv: UploadFile | None = None,
    evidence: UploadFile | None = None,
) -> Response:
    client = api(request)
    values = {
        "right_id": right_id,
        "infringement_type": infringement_type,
        "targets": targets,
        "description": description,
    }
    try:
        csv_bytes = (
            await targets_csv.read() if targets_csv is not None and targets_csv.filename else b""
        )
        blobs = []
        if evidence is not None and evidence.filename:
            blobs.append(
                await client.upload(
                    "complaints", evidence.filename, await evidence.read(), evidence.content_type
                )
            )
        fields = {
            "right_id": right_id,
            "infringement_type": infringement_type,
            "description": description,
        }
        urls = target_urls(targets, csv_bytes)
        if csv_bytes and (
            not targets.strip() or urls is None
        ):  # the complaints API reads the file, row by row
            created = await client.call(
                "POST",
                "complaints",
                "/v1/complaints",
                data={**fields, "evidence": blobs},
                files={"targets_csv": ("targets.csv", csv_bytes, "text/csv")},
            )
        else:
            body = {**fields, "targets": [{"url": u} for u in urls or []], "evidence": blobs}
            created = await client.call("POST", "complaints", "/v1/complaints", json=body)
    except ApiFailure as failure:
        rights = await usable_rights(client)
        errors = form_error(request, failure, COMPLAINT_FIELDS)
        if csv_bytes and isinstance(failure.details, dict) and failure.details.get("row"):
            row = t(lang_of(request), "csv_row", row=failure.details["row"])
            errors["targets_csv"] = row + errors.pop("targets", "")
        return render(
            request,
            "complaint_form.html",
            400,
            rights=rights,
            types=INFRINGEMENT_TYPES,
            values=values,
            errors=errors,
        )
    return redirect(f"/complaints/{created['complaint_id']}")


@router.get("/complaints")
async def my_complaints(request: Request) -> Response:
    complaints = await api(request).call("GET", "complaints", "/v1/complaints")
    return render(request, "complaints.html", complaints=complaints)


@router.get("/complaints/{complaint_id}")
async def complaint_page(request: Request, complaint_id: str) -> Response:
    complaint = await api(request).call("GET", "complaints", f"/v1/complaints/{complaint_id}")
    return render(request, "complaint.html", complaint=complaint)


@router.post("/complaints/{complaint_id}/withdraw")
async def withdraw(request: Request, complaint_id: str) -> Response:
    client = api(request)
    try:
        await client.call("POST", "complaints", f"/v1/complaints/{complaint_id}/withdraw")
    except ApiFailure as failure:
        complaint = await client.call("GET", "complaints", f"/v1/complaints/{complaint_id}")
        return render(
            request, "complaint.html", 409, complaint=complaint, errors=form_error(request, failure)
        )
    return redirect(f"/complaints/{complaint_id}")
