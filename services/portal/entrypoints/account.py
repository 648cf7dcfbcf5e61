"""The signed-in home, binding the email, and 信息认证-身份认证 (identity) with its documents and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from services.portal.api import Api, ApiFailure
from services.portal.web import PortalRoute, api, form_error, lang_of, redirect, render

router = APIRouter(route_class=PortalRoute, tags=["pages"])
Field = Annotated[str, Form()]
IDENTITY_FIELDS = {"name": "name", "id_number": "id_number", "credit_code": "credit_code",
                   "id_card_front": "id_card_front", "id_card_back": "id_card_back",
                   "business_licence": "business_licence", "legal_representative": "legal_representative"}


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
        return render(request, "email.html", 400, me=me, values={"email": email},
                      errors=form_error(request, failure, {"email": "email"}))
    return render(request, "email.html", me=me, values={"email": email}, notice="email_code_sent")


@router.post("/email")
async def bind_email(request: Request, email: Field, code: Field) -> Response:
    client = api(request)
    body = {"email": email, "code": code, "language": lang_of(request)}
    try:
        await client.call("PUT", "identity", "/v1/me/email", json=body)
    except ApiFailure as failure:
        me = await client.call("GET", "identity", "/v1/me")
        return render(request, "email.html", 400, me=me, values={"email": email},
                      errors=form_error(request, failure, {"email": "email", "code": "code"}))
    return redirect("/identity")


@router.get("/identity")
async def identity_page(request: Request) -> Response:
    return render(request, "identity.html", identity=await current_identity(api(request)))


async def upload(client: Api, file: UploadFile | None) -> str | None:
    if file is None or not file.filename:
        return None
    return await client.upload("identity", file.filename, await file.read(), file.content_type)


@router.post("/identity")
async def submit_identity(request: Request, kind: Field, name: Field,
                          id_number: Annotated[str, Form()] = "", credit_code: Annotated[str, Form()] = "",
                          legal_representative: Annotated[str, Form()] = "",
                          document_type: Annotated[str, Form()] = "resident_id",
                          id_card_front: UploadFile | None = None, id_card_back: UploadFile | None = None,
                          business_licence: UploadFile | None = None) -> Response:
    client = api(request)
    identity = await current_identity(client)
    values = {"kind": kind, "name": name, "legal_representative": legal_representative}  # never the numbers
    try:
        if kind == "enterprise":
            holder = {"kind": "enterprise", "name": name, "credit_code": credit_code,
                      "business_licence": await upload(client, business_licence),
                      "legal_representative": legal_representative}
        else:
            holder = {"kind": "individual", "name": name, "document_type": document_type, "id_number": id_number,
                      "id_card_front": await upload(client, id_card_front),
                      "id_card_back": await upload(client, id_card_back)}
        body = {"role": "holder", "holder": holder}
        if identity and identity["status"] == "rejected":
            await client.call("PUT", "identity", f"/v1/identities/{identity['identity_id']}", json=body)
        else:
            await client.call("POST", "identity", "/v1/identities", json=body)
    except ApiFailure as failure:
        return render(request, "identity.html", 400, identity=identity, values=values,
                      errors=form_error(request, failure, IDENTITY_FIELDS))
    return redirect("/identity")
