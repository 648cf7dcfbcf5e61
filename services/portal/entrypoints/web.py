"""What every page shares: the session cookies, the CSRF token tied to them, rendering
with the language."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.portal.adapters.api import Api, ApiFailure, field_problems
from services.portal.adapters.assets import asset
from services.portal.domain import i18n
from services.portal.entrypoints.headers import FILE_HEADERS
from shared.kit.clients import client_address

TOKEN_COOKIE = "ipp_session"
SID_COOKIE = "ipp_sid"
LANG_COOKIE = "lang"
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.globals["asset"] = (
    asset  # the URL of a static file (assets.py): styles and scripts are never inline
)
RETRY_AFTER_SECONDS = 5  # how soon a browser may ask a service that did not answer again
# a path on this site: never `//host`, a backslash (browsers read `/\host` as `//host`)
# or a control character
SAME_SITE_PATH = re.compile(r"/(?![/\\])[^\x00-\x20\\\x7f]*")


class NotSignedIn(Exception):
    """The page needs a signed-in account; the browser is sent to the sign-in page."""


def lang_of(request: Request) -> str:
    return (
        request.cookies.get(LANG_COOKIE)
        if request.cookies.get(LANG_COOKIE) in i18n.LANGUAGES
        else "zh-CN"
    )


def sid_of(request: Request) -> str:
    """This browser's session id; a fresh one when it has none or this request
    signed it in or out."""
    if getattr(request.state, "rotate_sid", False) or not request.cookies.get(SID_COOKIE):
        return request.state.new_sid
    return request.cookies[SID_COOKIE]


def rotate_sid(request: Request) -> None:
    """Give the browser a fresh session id with this answer (PortalRoute sets it): an id, and
    so a CSRF token, that someone planted or read before the browser signed in or out is
    worth nothing after."""
    request.state.rotate_sid = True


def csrf_token(request: Request) -> str:
    key = request.app.state.settings.key("csrf")
    return hmac.new(key, f"csrf:{sid_of(request)}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, submitted: str | None) -> bool:
    return bool(request.cookies.get(SID_COOKIE)) and hmac.compare_digest(
        submitted or "", csrf_token(request)
    )


def safe_next(value: str | None) -> str:
    """Where to go after signing in (or switching language): `value` if it is a path on
    this site, else home."""
    return value if value and SAME_SITE_PATH.fullmatch(value) else "/"


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    max_age: int | None = None,
    http_only: bool = True,
    path: str = "/",
) -> None:
    secure = request.app.state.settings.env == "production"
    response.set_cookie(
        name, value, max_age=max_age, httponly=http_only, samesite="lax", secure=secure, path=path
    )


def api(request: Request, signed_in: bool = True) -> Api:
    """The API client acting for this browser; NotSignedIn when the page needs an
    account and has none."""
    token = request.cookies.get(TOKEN_COOKIE)
    if signed_in and not token:
        raise NotSignedIn
    settings = request.app.state.settings
    return Api(
        settings,
        token,
        getattr(request.app.state, "api_transport", None),
        client_address(request, settings.trusted_proxies),
    )


def sign_in(request: Request, response: Response, session: dict) -> Response:
    """The session's token in its HttpOnly cookie, and a fresh session id (so a fresh
    CSRF token) with it."""
    set_cookie(
        request, response, TOKEN_COOKIE, session["access_token"], max_age=int(session["expires_in"])
    )
    rotate_sid(request)
    return response


def roles_of(request: Request) -> tuple[str, ...]:
    """The roles the session's access token names, read without verifying it: only to choose
    which menu links to show (every API call is still authorised by the services, which do
    verify the token)."""
    token = request.cookies.get(TOKEN_COOKIE) or ""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        roles = claims.get("roles") or ()
        return tuple(str(r) for r in roles) if isinstance(roles, list | tuple) else ()
    except (IndexError, ValueError, AttributeError):
        return ()


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": lambda key, **kw: i18n.t(lang, key, **kw),
            "csrf": csrf_token(request),
            "signed_in": bool(request.cookies.get(TOKEN_COOKIE)),
            "reviewer": "reviewer" in roles_of(request),
            "errors": {},
            "values": {},
            **context,
        },
        status_code=status,
    )


SHA256_TEXT = re.compile(r"[0-9a-f]{64}")


async def passthrough(request: Request, service: str, path: str) -> Response:
    """An uploaded file from a service, for this browser's account (the service decides who may see
    it); shown inline as the type the service sniffed, never re-sniffed, never cached by others,
    framed only here."""
    try:
        found = await api(request).request("GET", service, path)
    except ApiFailure as failure:
        if failure.status == 401:
            raise NotSignedIn from failure  # a lapsed session goes back to sign-in
        return file_failure(request, failure)
    return Response(
        found.content,
        media_type=found.headers.get("content-type", "application/octet-stream"),
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            **FILE_HEADERS,
        },
    )


def file_failure(request: Request, failure: ApiFailure) -> Response:
    """A file that cannot be shown, as short text (it sits in an img or iframe); a
    service's 5xx is a 503."""
    lang = lang_of(request)
    if failure.status >= 500:
        return Response(
            i18n.error(lang, "SERVICE_UNAVAILABLE"),
            503,
            media_type="text/plain",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), **FILE_HEADERS},
        )
    return Response(
        i18n.error(lang, failure.code),
        failure.status,
        media_type="text/plain",
        headers=FILE_HEADERS,
    )


def errors_of(
    request: Request, failure: ApiFailure, fields: dict[str, str] | None = None
) -> dict[str, str]:
    """{field: message} for a failed call: the stable code's message next to the field it
    concerns. A lapsed session and a service that cannot answer are no field's fault: PortalRoute
    shows their pages instead."""
    lang = lang_of(request)
    if failure.status == 401 and failure.code not in ("INVALID_CREDENTIALS",):
        raise NotSignedIn from failure
    if failure.status >= 500:
        raise failure
    named = {
        fields[f]: i18n.error(lang, code)
        for f, code in reversed(field_problems(failure))
        if f in (fields or {})
    }
    if named:
        return named
    field = i18n.ERROR_FIELDS.get(failure.code, "form")
    return {field: i18n.error(lang, failure.code)}


def form_error(
    request: Request, failure: ApiFailure, fields: dict[str, str] | None = None
) -> dict[str, str]:
    """Like errors_of, but every message also appears at the top of the form (for the
    screen reader summary)."""
    errors = errors_of(request, failure, fields)
    errors.setdefault("form", next(iter(errors.values())))
    return errors
