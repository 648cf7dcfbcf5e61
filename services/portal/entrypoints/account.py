"""The signed-in home, binding the email, and 信息认证-身份认证 (identity) with its
documents and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from services.portal.adapters.api import Api, ApiFailure
from services.portal.domain import i18n
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import api, form_error, lang_of, redirect, render

router = APIRouter(route_class=PortalRoute, tags=["pages"])
Field = Annotated[str, Form()]
IDENTITY_FIELDS = {
    "name": "name",
    "id_number": "id_number",
    "credit_code": "credit_code",
    "id_card_front": "id_card_front",
    "id_card_back": "id_card_back",
    "business_licence": "business_licence",
    "legal_representative": "legal_representative",
}


async def current_identity(client: Api) -> dict | None:
    identities = await client.call("GET", "identity", "/v1/identities")
    return identities[-1] if identities else None


@router.get("/")
async def home(request: Request) -> Response:
    client = api(request)
    me = await client.call("GET", "identity", "/v1/me")
    if "reviewer" in me["roles"]:
        return redirect("/reviews")
    if not me.get("email"):
        return redirect("/email")
    return render(request, "home.html", me=me, identity=await current_identity(client))


@router.get("/email")
async def email_page(request: Request) -> Response:
    me = await api(request).call("GET", "identity", "/v1/me")
    return render(request, "email.html", me=me)


@router.post("/email/code")
async def email_code(request: Request, email: Field) -> Response:
    client = api(request)
    me = await client.call("GET", "identity", "/v1/me")
    try:
        await client.call("POST", "identity", "/v1/me/email/verification", json={"email": email})
    except ApiFailure as failure:
        return render(
            request,
            "email.html",
            400,
            me=me,
            values={"email": email},
            errors=form_error(request, failure, {"email": "email"}),
        )
    return render(request, "email.html", me=me, values={"email": email}, notice="email_code_sent")


@router.post("/email")
async def bind_email(request: Request, email: Field, code: Field) -> Response:
    client = api(request)
    body = {"email": email, "code": code, "language": lang_of(request)}
    try:
        await client.call("PUT", "identity", "/v1/me/email", json=body)
    except ApiFailure as failure:
        me = await client.call("GET", "identity", "/v1/me")
        return render(
            request,
            "email.html",
            400,
            me=me,
            values={"email": email},
            errors=form_error(request, failure, {"email": "email", "code": "code"}),
        )
    return redirect("/identity")


@router.get("/identity")
async def identity_page(request: Request) -> Response:
    return render(request, "identity.html", identity=await current_identity(api(request)))


async def upload(client: Api, file: object) -> str | None:
    if not isinstance(file, StarletteUpload) or not file.filename:
        return None
    return await client.upload("identity", file.filename, await file.read(), file.content_type)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def party(client: Api, form: FormData, prefix: str = "") -> dict:
    """One party (the holder, or with prefix "agent_" the agent) from the form's fields,
    its files uploaded."""
    if text(form, prefix + "kind") == "enterprise":
        return {
            "kind": "enterprise",
            "name": text(form, prefix + "name"),
            "credit_code": text(form, prefix + "credit_code"),
            "business_licence": await upload(client, form.get(prefix + "business_licence")),
            "legal_representative": text(form, prefix + "legal_representative"),
        }
    return {
        "kind": "individual",
        "name": text(form, prefix + "name"),
        "document_type": text(form, prefix + "document_type") or "resident_id",
        "id_number": text(form, prefix + "id_number"),
        "id_card_front": await upload(client, form.get(prefix + "id_card_front")),
        "id_card_back": await upload(client, form.get(prefix + "id_card_back")),
    }


async def identity_body(client: Api, form: FormData) -> dict:
    body: dict = {
        "role": "agent" if text(form, "role") == "agent" else "holder",
        "holder": await party(client, form),
    }
    if body["role"] == "agent":
        body["agent"] = await party(client, form, "agent_")
        body["authorization_document"] = await upload(client, form.get("authorization_document"))
        body["authorization"] = {
            "scope": [s for s in form.getlist("scope") if isinstance(s, str)],
            "valid_from": text(form, "auth_valid_from") or None,
            "valid_until": text(form, "auth_valid_until") or None,
        }
    return body


def reserving_field(form: FormData) -> tuple[str, str]:
    """(form field, document type) of the number a submission reserves: an agent identity
    reserves only the agent's own number, a holder identity the holder's; an enterprise's
    is its credit code."""
    prefix = "agent_" if text(form, "role") == "agent" else ""
    if text(form, prefix + "kind") == "enterprise":
        return prefix + "credit_code", "unified_social_credit_code"
    return prefix + "id_number", text(form, prefix + "document_type") or "resident_id"


def dispute_link(request: Request, form: FormData) -> dict:
    """Where a number another account holds is disputed, shown with the refusal next to that
    number. The link names only the document type: a document number never goes into a URL
    (history, logs, Referer)."""
    field, document_type = reserving_field(form)
    return {
        "field": field,
        "href": f"/identities/disputes/new?document_type={document_type}",
        "text": i18n.t(lang_of(request), "dispute_it"),
    }


def identity_errors(request: Request, failure: ApiFailure) -> dict[str, str]:
    """{form field: message}: a validation failure's path names the party (holder or agent_) or the
    authorisation (auth_), so the message lands next to the right one of the two parties'
    same-named fields."""
    errors: dict[str, str] = {}
    if failure.code == "VALIDATION_FAILED" and isinstance(failure.details, list):
        lang = lang_of(request)
        for problem in failure.details:
            loc = (
                [str(p) for p in (problem.get("loc") or []) if p != "body"]
                if isinstance(problem, dict)
                else []
            )
            if not loc:
                continue
            named = [
                p for p in loc[1:] if not p.isdigit() and p not in ("individual", "enterprise")
            ]
            if loc[0] == "agent":
                field = "agent_" + (named[-1] if named else "name")
            elif loc[0] == "authorization":
                field = (
                    "auth_" + named[-1]
                    if named and named[-1] in ("valid_from", "valid_until")
                    else "scope"
                )
            elif loc[0] == "authorization_document":
                field = "authorization_document"
            else:
                field = named[-1] if named else "name"
            errors.setdefault(field, i18n.error(lang, failure.code))
    if errors:
        errors.setdefault("form", next(iter(errors.values())))
        return errors
    if failure.code in ("AUTHORIZATION_REQUIRED", "AGENT_PARTY_REQUIRED"):
        message = i18n.error(lang_of(request), failure.code)
        return {"authorization_document": message, "form": message}
    return form_error(request, failure, IDENTITY_FIELDS)


@router.post("/identity")
async def submit_identity(request: Request) -> Response:
    client = api(request)
    identity = await current_identity(client)
    form = await request.form()
    keep = (
        "role",
        "kind",
        "name",
        "legal_representative",
        "agent_kind",
        "agent_name",
        "agent_legal_representative",
        "auth_valid_from",
        "auth_valid_until",
    )
    values: dict = {k: text(form, k) for k in keep}  # never the document numbers
    values["scope"] = [s for s in form.getlist("scope") if isinstance(s, str)]
    try:
        body = await identity_body(client, form)
        if identity and identity["status"] == "rejected":
            await client.call(
                "PUT", "identity", f"/v1/identities/{identity['identity_id']}", json=body
            )
        else:
            await client.call("POST", "identity", "/v1/identities", json=body)
    except ApiFailure as failure:
        errors, dispute = identity_errors(request, failure), None
        if failure.code == "DOCUMENT_ALREADY_REGISTERED":
            dispute = dispute_link(request, form)
            errors = {dispute["field"]: errors["form"], "form": errors["form"]}
        return render(
            request,
            "identity.html",
            400,
            identity=identity,
            values=values,
            errors=errors,
            dispute=dispute,
        )
    return redirect("/identity")
