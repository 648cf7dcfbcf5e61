"""Signing in (password, SMS code, the app's QR scan), registering, signing out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from services.portal.api import ApiFailure
from services.portal.routing import PortalRoute
from services.portal.web import (
    LANG_COOKIE,
    TOKEN_COOKIE,
    api,
    form_error,
    redirect,
    render,
    safe_next,
    set_cookie,
    sign_in,
)

router = APIRouter(route_class=PortalRoute, tags=["pages"])
QR_COOKIE = "ipp_qr"
Field = Annotated[str, Form()]
Next = Annotated[str, Form()]  # the page to return to once signed in (safe_next keeps it on this site)


@router.get("/signin")
async def signin_page(request: Request, method: str = "password", next: str = "/") -> Response:
    return render(request, "signin.html", method=method if method in ("password", "sms") else "password",
                  next_page=safe_next(next))


@router.post("/signin/password")
async def signin_password(request: Request, login: Field, password: Field, next: Next = "/") -> Response:
    body = {"method": "password", "login": login, "password": password}
    try:
        session = await api(request, signed_in=False).call("POST", "identity", "/v1/sessions", json=body)
    except ApiFailure as failure:
        errors = form_error(request, failure, {"login": "login", "password": "password"})
        return render(request, "signin.html", 400, method="password", errors=errors, next_page=safe_next(next))
    return sign_in(request, redirect(safe_next(next)), session)


@router.post("/signin/sms")
async def signin_sms(request: Request, phone: Field, sms_code: Field, next: Next = "/") -> Response:
    body = {"method": "sms", "phone": phone, "sms_code": sms_code}
    try:
        session = await api(request, signed_in=False).call("POST", "identity", "/v1/sessions", json=body)
    except ApiFailure as failure:
        if failure.code == "INVALID_CREDENTIALS":  # by SMS, the credential is the code: say so next to it
            failure = ApiFailure(400, "INVALID_CODE", failure.details)
        errors = form_error(request, failure, {"phone": "phone", "sms_code": "sms_code"})
        return render(request, "signin.html", 400, method="sms", errors=errors, values={"phone": phone},
                      next_page=safe_next(next))
    return sign_in(request, redirect(safe_next(next)), session)


@router.post("/sms-codes")
async def send_sms_code(request: Request, phone: Field, page: Annotated[str, Form()] = "signin",
                        next: Next = "/") -> Response:
    """Sends an SMS code, then shows the page it was asked from again, with the phone filled in."""
    template = "register.html" if page == "register" else "signin.html"
    shown = {"method": "sms", "values": {"phone": phone}, "next_page": safe_next(next)}
    try:
        await api(request, signed_in=False).call("POST", "identity", "/v1/sms-codes", json={"phone": phone})
    except ApiFailure as failure:
        return render(request, template, 400, errors=form_error(request, failure, {"phone": "phone"}), **shown)
    return render(request, template, notice="code_sent", **shown)


@router.get("/register")
async def register_page(request: Request) -> Response:
    return render(request, "register.html")


@router.post("/register")
async def register(request: Request, phone: Field, sms_code: Field, password: Field) -> Response:
    client = api(request, signed_in=False)
    try:
        await client.call("POST", "identity", "/v1/accounts",
                          json={"phone": phone, "password": password, "sms_code": sms_code})
        session = await client.call("POST", "identity", "/v1/sessions",
                                    json={"method": "password", "login": phone, "password": password})
    except ApiFailure as failure:
        errors = form_error(request, failure, {"phone": "phone", "password": "password", "sms_code": "sms_code"})
        return render(request, "register.html", 400, errors=errors, values={"phone": phone})
    return sign_in(request, redirect("/email"), session)


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    response = redirect("/signin")
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = redirect(safe_next(next))
    set_cookie(request, response, LANG_COOKIE, "en" if code == "en" else "zh-CN", max_age=365 * 86400)
    return response


@router.get("/signin/qr")
async def qr_page(request: Request, next: str = "/") -> Response:
    """Opens a QR ticket; the page shows it as an image and polls until the app confirms it."""
    try:
        ticket = await api(request, signed_in=False).call("POST", "identity", "/v1/qr-logins")
    except ApiFailure as failure:
        return render(request, "signin.html", 503, method="qr", errors=form_error(request, failure),
                      next_page=safe_next(next))
    response = render(request, "qr.html", ticket=ticket["ticket"], expires_at=ticket["expires_at"],
                      next_page=safe_next(next))
    set_cookie(request, response, QR_COOKIE, ticket["ticket"], max_age=600)
    return response


def own_ticket(request: Request, ticket: str) -> bool:
    """Only the browser that opened a ticket may see its image or collect its session."""
    return request.cookies.get(QR_COOKIE) == ticket


@router.get("/qr/{ticket}/image")
async def qr_image(request: Request, ticket: str) -> Response:
    if not own_ticket(request, ticket):
        return Response(status_code=404)
    try:
        png = await api(request, signed_in=False).call("GET", "identity", f"/v1/qr-logins/{ticket}/image")
    except ApiFailure as failure:  # an image: no page, only the status (a service's 5xx is a 503)
        return Response(status_code=503 if failure.status >= 500 else failure.status)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/qr/{ticket}/status")
async def qr_status(request: Request, ticket: str) -> Response:
    if not own_ticket(request, ticket):
        return JSONResponse({"status": "expired"}, status_code=404)
    try:
        state = await api(request, signed_in=False).call("GET", "identity", f"/v1/qr-logins/{ticket}")
    except ApiFailure as failure:
        return JSONResponse({"status": "expired", "code": failure.code}, status_code=200)
    response = JSONResponse({"status": state["status"]})
    if state["status"] == "confirmed" and state.get("access_token"):
        sign_in(request, response, state)
        response.delete_cookie(QR_COOKIE, path="/")
    return response
