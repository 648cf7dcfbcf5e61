"""新增权利认证 (add a right) and 我的权利认证 (my rights): status, lock, amendment
after a rejection."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.api import ApiFailure
from services.portal.entrypoints import rights_form
from services.portal.entrypoints.account import current_identity
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import api, form_error, redirect, render
from shared.events.vocabulary import PATENT_KINDS, WORK_TYPES

router = APIRouter(route_class=PortalRoute, tags=["pages"])
FIELDS = {
    name: name for names in (rights_form.COMMON, *rights_form.DETAILS.values()) for name in names
}
FIELDS.update({"documents": "certificate", "identity_id": "form", "right_type": "form"})


def form_page(request: Request, status: int = 200, **context: object) -> Response:
    return render(
        request,
        "right_form.html",
        status,
        work_types=WORK_TYPES,
        patent_kinds=PATENT_KINDS,
        files=rights_form.FILES,
        **context,
    )


@router.get("/rights")
async def my_rights(request: Request) -> Response:
    return render(
        request, "rights.html", rights=await api(request).call("GET", "rights", "/v1/rights")
    )


@router.get("/rights/new")
async def new_right(request: Request, right_type: str = "trademark") -> Response:
    identity = await current_identity(api(request))
    return form_page(
        request,
        identity=identity,
        values={"right_type": rights_form.right_type_of(right_type)},
        right=None,
    )


@router.post("/rights/new")
async def add_right(request: Request) -> Response:
    client = api(request)
    form = await request.form()
    identity = await current_identity(client)
    if identity is None:
        return redirect("/identity")
    values = rights_form.values_of_form(
        form, rights_form.right_type_of(str(form.get("right_type") or ""))
    )
    try:
        documents = await rights_form.documents_of(client, form, values["right_type"])
        await client.call(
            "POST",
            "rights",
            "/v1/rights",
            json=rights_form.body_of(identity["identity_id"], values, documents),
        )
    except ApiFailure as failure:
        return form_page(
            request,
            400,
            identity=identity,
            values=values,
            right=None,
            errors=form_error(request, failure, FIELDS),
        )
    return redirect("/rights")


@router.get("/rights/{right_id}")
async def right_page(request: Request, right_id: str) -> Response:
    right = await api(request).call("GET", "rights", f"/v1/rights/{right_id}")
    return form_page(request, identity=None, values=rights_form.values_of_right(right), right=right)


@router.post("/rights/{right_id}")
async def amend_right(request: Request, right_id: str) -> Response:
    client = api(request)
    form = await request.form()
    right = await client.call("GET", "rights", f"/v1/rights/{right_id}")
    values = rights_form.values_of_form(form, right["right_type"])
    try:
        documents = await rights_form.documents_of(
            client, form, right["right_type"], right.get("documents")
        )
        await client.call(
            "PUT",
            "rights",
            f"/v1/rights/{right_id}",
            json=rights_form.body_of(right["identity_id"], values, documents),
        )
    except ApiFailure as failure:
        return form_page(
            request,
            400,
            identity=None,
            values=values,
            right=right,
            errors=form_error(request, failure, FIELDS),
        )
    return redirect("/rights")
