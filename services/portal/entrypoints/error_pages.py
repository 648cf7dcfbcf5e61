"""What a person sees when a page cannot be shown: the sign-in page again, "not found", "temporarily
unavailable" or "something went wrong", in the portal's layout and language; never a bare 500."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from services.portal.adapters.api import ApiFailure
from services.portal.domain import i18n
from services.portal.entrypoints.web import (
    RETRY_AFTER_SECONDS,
    TOKEN_COOKIE,
    lang_of,
    redirect,
    render,
    safe_next,
)
from shared.kit.logs import log

# the list a page belongs to (its URL's first segment), linked from its error page
LISTS = {
    "complaints": "nav_complaints",
    "rights": "nav_rights",
    "reviews": "nav_reviews",
    "identity": "nav_identity",
}


def wanted(request: Request) -> str:
    """The page the browser asked for: its path and query."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def way_back(request: Request) -> tuple[str, str]:
    """(href, label) of the list the page belongs to, or of the home page when it is
    that list or none."""
    section = request.url.path.strip("/").split("/")[0]
    if section in LISTS and request.url.path.rstrip("/") != f"/{section}":
        return f"/{section}", LISTS[section]
    return "/", "nav_home"


def error_page(
    request: Request,
    status: int,
    heading: str,
    message: str,
    home: bool = False,
    again: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error page: what happened, and a link back (to the page's list, or home)."""
    back, back_label = ("/", "nav_home") if home else way_back(request)
    retry = wanted(request) if again and request.method == "GET" else None
    response = render(
        request,
        "error.html",
        status,
        heading=heading,
        message=message,
        back=back,
        back_label=back_label,
        retry=retry,
    )
    response.headers.update(headers or {})
    return response


def back_to_sign_in(request: Request) -> Response:
    """The sign-in page, the session cookie cleared; signing in returns to the page
    asked for (by GET)."""
    target = safe_next(wanted(request)) if request.method == "GET" else "/"
    response = redirect("/signin" if target == "/" else "/signin?" + urlencode({"next": target}))
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


def not_found(request: Request) -> Response:
    """The same page whether the thing is someone else's or nobody's: it never tells which."""
    return error_page(request, 404, "not_found_title", i18n.t(lang_of(request), "not_found_text"))


def unavailable(request: Request) -> Response:
    return error_page(
        request,
        503,
        "unavailable_title",
        i18n.t(lang_of(request), "unavailable_text"),
        home=True,
        again=True,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def broken(request: Request) -> Response:
    return error_page(
        request, 500, "broken_title", i18n.t(lang_of(request), "broken_text"), home=True
    )


def incomplete(request: Request, status: int = 400) -> Response:
    """A request the page cannot read (a form sent without its fields, a malformed upload)."""
    return error_page(
        request, status, "incomplete_title", i18n.t(lang_of(request), "incomplete_text")
    )


def expired(request: Request) -> Response:
    """A form sent without this browser's CSRF token (a stale page, or another site's form)."""
    return error_page(request, 403, "expired_title", i18n.t(lang_of(request), "csrf_failed"))


def for_failure(request: Request, failure: ApiFailure) -> Response:
    """The page for a service's failure that no form on the page showed next to a field."""
    if failure.status == 401:
        return back_to_sign_in(request)
    if failure.status == 404:
        return not_found(request)
    if failure.status == 403:
        return error_page(
            request, 403, "forbidden_title", i18n.t(lang_of(request), "forbidden_text"), home=True
        )
    if failure.status >= 500:
        log.warning(
            "portal.service_unavailable",
            path=request.url.path,
            status=failure.status,
            code=failure.code,
        )
        return unavailable(request)
    return error_page(
        request, failure.status, "request_failed_title", i18n.error(lang_of(request), failure.code)
    )
