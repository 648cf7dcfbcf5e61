"""A real owner's way back to a document number another account registered: the dispute form (the
number, a statement, 1–10 evidence files uploaded to identity as the identity form's documents are)
and 我的证件号申诉, the account's disputes with their outcome and the reviewer's reasons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile as StarletteUpload

from services.portal.adapters.api import ApiFailure
from services.portal.domain import i18n
from services.portal.entrypoints.account import text
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import api, form_error, lang_of, redirect, render

router = APIRouter(route_class=PortalRoute, tags=["pages"])
DOCUMENT_TYPES = (
    "resident_id",
    "passport",
    "hk_macau_permit",
    "taiwan_permit",
    "unified_social_credit_code",
)
MAX_EVIDENCE = 10  # identity accepts 1–10; more are refused before anything is uploaded
FIELDS = {
    "document_type": "document_type",
    "document_number": "document_number",
    "statement": "statement",
    "evidence": "evidence",
}
# codes that name no field but concern one: identity's refusals, and an upload's
# (size, type, unknown blob)
CODE_FIELDS = {
    "NOTHING_TO_DISPUTE": "document_number",
    "VALIDATION_FAILED": "document_number",
    "UNKNOWN_DOCUMENT": "evidence",
    "FILE_TOO_LARGE": "evidence",
    "UNSUPPORTED_MEDIA_TYPE": "evidence",
}


def document_type_of(value: str) -> str:
    return value if value in DOCUMENT_TYPES else "resident_id"


def dispute_errors(request: Request, failure: ApiFailure) -> dict[str, str]:
    """{field: message}. A VALIDATION_FAILED naming no field is the number's format (checked
    against its type)."""
    errors = form_error(request, failure, FIELDS)
    if set(errors) == {"form"} and failure.code in CODE_FIELDS:
        errors[CODE_FIELDS[failure.code]] = errors["form"]
    return errors


def form_page(request: Request, status: int = 200, **context: object) -> Response:
    lang = lang_of(request)
    return render(
        request,
        "dispute_form.html",
        status,
        dispute_types=[(k, i18n.t(lang, k)) for k in DOCUMENT_TYPES],
        **context,
    )


@router.get("/identities/disputes")
async def my_disputes(request: Request) -> Response:
    found = await api(request).call("GET", "identity", "/v1/identities/disputes")
    notice = "dispute_submitted" if request.query_params.get("submitted") else None
    return render(request, "disputes.html", disputes=list(reversed(found)), notice=notice)


@router.get("/identities/disputes/new")
async def new_dispute(request: Request, document_type: str = "") -> Response:
    api(request)  # signed in, or to the sign-in page
    return form_page(request, values={"document_type": document_type_of(document_type)})


@router.post("/identities/disputes/new")
async def submit_dispute(request: Request) -> Response:
    client, form = api(request), await request.form()
    values = {
        "document_type": document_type_of(text(form, "document_type")),
        "statement": text(form, "statement"),
    }  # never the document number
    files = [f for f in form.getlist("evidence") if isinstance(f, StarletteUpload) and f.filename]
    if not 1 <= len(files) <= MAX_EVIDENCE:
        message = i18n.t(lang_of(request), "evidence_count")
        return form_page(request, 400, values=values, errors={"evidence": message, "form": message})
    try:
        evidence = [
            await client.upload(
                "identity", f.filename or "evidence", await f.read(), f.content_type
            )
            for f in files
        ]
        body = {
            "document_type": text(form, "document_type"),
            "document_number": text(form, "document_number"),
            "statement": values["statement"],
            "evidence": evidence,
        }
        await client.call("POST", "identity", "/v1/identities/disputes", json=body)
    except ApiFailure as failure:
        return form_page(
            request,
            400,
            values=values,
            errors=dispute_errors(request, failure),
            email_needed=failure.code == "EMAIL_NOT_BOUND",
        )
    return redirect("/identities/disputes?submitted=1")
