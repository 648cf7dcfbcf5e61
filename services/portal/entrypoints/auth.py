"""Signing in (password, SMS code, the app's QR scan), registering, signing out and
the language switch.

Every sign-in gives the browser a fresh session id (web.sign_in); signing out ends the token at
identity, not only in this browser. A QR ticket is in the code anyone can see, so the session
goes only to the browser that opened it: identity hands that browser a secret with the ticket,
which the portal keeps in an HttpOnly cookie scoped to that ticket's URLs and sends when it asks
for the ticket's status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from services.portal.adapters.api import Api, ApiFailure
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import (
    LANG_COOKIE,
    TOKEN_COOKIE,
    api,
    form_error,
    redirect,
    render,
    rotate_sid,
    safe_next,
    set_cookie,
    sign_in,
)
from shared.kit.logs import log

router = APIRouter(route_class=PortalRoute, tags=["pages"])
QR_COOKIE = (
    "ipp_qr"  # the QR ticket's browser secret (never the ticket), sent only to /qr/<ticket>/...
)
QR_COOKIE_SECONDS = 600
BROWSER_SECRET_HEADER = "X-IPP-Browser-Secret"
TICKET = re.compile(
    r"[A-Za-z0-9_-]{16,64}"
)  # identity's ticket format; it also names the cookie's path
Field = Annotated[str, Form()]
Next = Annotated[
    str, Form()
]  # the page to return to once signed in (safe_next keeps it on this site)


@router.get("/signin")
async def signin_page(
    request: Request, method: str = "password", next: str = "/", signed_out: str = ""
) -> Response:
    return render(
        request,
        "signin.html",
        method=method if method in ("password", "sms") else "password",
        next_page=safe_next(next),
        notice="signed_out" if signed_out else None,
    )


@router.post("/signin/password")
async def signin_password(
    request: Request, login: Field, password: Field, next: Next = "/"
) -> Response:
    body = {"method": "password", "login": login, "password": password}
    try:
        session = await api(request, signed_in=False).call(
            "POST", "identity", "/v1/sessions", json=body
        )
    except ApiFailure as failure:
        errors = form_error(request, failure, {"login": "login", "password": "password"})
        return render(
            request, "signin.html", 400, method="password", errors=errors, next_page=safe_next(next)
        )
    return sign_in(request, redirect(safe_next(next)), session)


@router.post("/signin/sms")
async def signin_sms(request: Request, phone: Field, sms_code: Field, next: Next = "/") -> Response:
    body = {"method": "sms", "phone": phone, "sms_code": sms_code}
    try:
        session = await api(request, signed_in=False).call(
            "POST", "identity", "/v1/sessions", json=body
        )
    except ApiFailure as failure:
        if (
            failure.code == "INVALID_CREDENTIALS"
        ):  # by SMS, the credential is the code: say so next to it
            failure = ApiFailure(400, "INVALID_CODE", failure.details)
        errors = form_error(request, failure, {"phone": "phone", "sms_code": "sms_code"})
        return render(
            request,
            "signin.html",
            400,
            method="sms",
            errors=errors,
            values={"phone": phone},
            next_page=safe_next(next),
        )
    return sign_in(request, redirect(safe_next(next)), session)


@router.post("/sms-codes")
async def send_sms_code(
    request: Request, phone: Field, page: Annotated[str, Form()] = "signin", next: Next = "/"
) -> Response:
    """Sends an SMS code, then shows the page it was asked from again, with the phone filled in."""
    template = "register.html" if page == "register" else "signin.html"
    shown = {"method": "sms", "values": {"phone": phone}, "next_page": safe_next(next)}
    try:
        await api(request, signed_in=False).call(
            "POST", "identity", "/v1/sms-codes", json={"phone": phone}
        )
    except ApiFailure as failure:
        return render(
            request, template, 400, errors=form_error(request, failure, {"phone": "phone"}), **shown
        )
    return render(request, template, notice="code_sent", **shown)


@router.get("/register")
async def register_page(request: Request) -> Response:
    return render(request, "register.html")


@router.post("/register")
async def register(request: Request, phone: Field, sms_code: Field, password: Field) -> Response:
    client = api(request, signed_in=False)
    try:
        await client.call(
            "POST",
            "identity",
            "/v1/accounts",
            json={"phone": phone, "password": password, "sms_code": sms_code},
        )
        session = await client.call(
            "POST",
            "identity",
            "/v1/sessions",
            json={"method": "password", "login": phone, "password": password},
        )
    except ApiFailure as failure:
        errors = form_error(
            request, failure, {"phone": "phone", "password": "password", "sms_code": "sms_code"}
        )
        return render(request, "register.html", 400, errors=errors, values={"phone": phone})
    return sign_in(request, redirect("/email"), session)


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    """Identity revokes the token (so a copy of the cookie is worth nothing either); the
    cookie goes and the session id is fresh even when identity does not answer: this browser
    is signed out in any case."""
    if request.cookies.get(TOKEN_COOKIE):
        try:
            await api(request).call("DELETE", "identity", "/v1/sessions/current")
        except ApiFailure as failure:  # a token already expired or revoked is signed out anyway
            if failure.status != 401:
                log.warning("portal.sign_out_not_revoked", status=failure.status, code=failure.code)
    response = redirect("/signin?signed_out=1")
    response.delete_cookie(TOKEN_COOKIE, path="/")
    rotate_sid(request)
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = redirect(safe_next(next))
    set_cookie(
        request, response, LANG_COOKIE, "en" if code == "en" else "zh-CN", max_age=365 * 86400
    )
    return response


@router.get("/signin/qr")
async def qr_page(request: Request, next: str = "/") -> Response:
    """Opens a QR ticket; the page shows it as an image and polls until the app confirms it. The
    ticket's browser secret goes into a cookie only this browser has, for this ticket's URLs only
    (so several tabs can each show their own code)."""
    try:
        ticket = await api(request, signed_in=False).call("POST", "identity", "/v1/qr-logins")
        if not TICKET.fullmatch(str(ticket.get("ticket"))) or not ticket.get("browser_secret"):
            raise ApiFailure(
                503, "SERVICE_UNAVAILABLE"
            )  # an identity that cannot bind the ticket to this browser
    except ApiFailure as failure:
        return render(
            request,
            "signin.html",
            503,
            method="qr",
            errors=form_error(request, failure),
            next_page=safe_next(next),
        )
    response = render(
        request,
        "qr.html",
        ticket=ticket["ticket"],
        expires_at=ticket["expires_at"],
        next_page=safe_next(next),
    )
    set_cookie(
        request,
        response,
        QR_COOKIE,
        ticket["browser_secret"],
        max_age=QR_COOKIE_SECONDS,
        path=f"/qr/{ticket['ticket']}",
    )
    return response


@dataclass
class OpeningBrowser(Api):
    """The API client for the browser that opened a QR ticket: it also proves that with
    the ticket's secret."""

    browser_secret: str = ""

    def headers(self) -> dict[str, str]:
        return {**super().headers(), BROWSER_SECRET_HEADER: self.browser_secret}


def browser_secret(request: Request, ticket: str) -> str | None:
    """The secret of a ticket this browser opened (its cookie is sent only to that ticket's
    URLs); else None."""
    return request.cookies.get(QR_COOKIE) if TICKET.fullmatch(ticket) else None


@router.get("/qr/{ticket}/image")
async def qr_image(request: Request, ticket: str) -> Response:
    if not browser_secret(request, ticket):  # only the page that opened the ticket shows it
        return Response(status_code=404)
    try:
        png = await api(request, signed_in=False).call(
            "GET", "identity", f"/v1/qr-logins/{ticket}/image"
        )
    except ApiFailure as failure:  # an image: no page, only the status (a service's 5xx is a 503)
        return Response(status_code=503 if failure.status >= 500 else failure.status)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/qr/{ticket}/status")
async def qr_status(request: Request, ticket: str) -> Response:
    """The ticket's status; once the app confirmed it, this browser (and only it: identity checks
    the secret) is signed in."""
    secret = browser_secret(request, ticket)
    if not secret:
        return JSONResponse({"status": "expired"}, status_code=404)
    try:
        client = OpeningBrowser(**vars(api(request, signed_in=False)), browser_secret=secret)
        state = await client.call("GET", "identity", f"/v1/qr-logins/{ticket}")
    except ApiFailure as failure:
        return JSONResponse({"status": "expired", "code": failure.code}, status_code=200)
    response = JSONResponse({"status": state["status"]})
    if state["status"] == "confirmed" and state.get("access_token"):
        sign_in(request, response, state)
        response.delete_cookie(QR_COOKIE, path=f"/qr/{ticket}")
    return response
