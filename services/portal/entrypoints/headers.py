"""The security headers of every portal response, in one place (PortalRoute adds them to whatever a
route answers: pages, error pages, redirects, files, JSON).

- The CSP runs no inline script or style and nothing from another site, so markup a bug lets through
  cannot run; `frame-ancestors 'none'` (and X-Frame-Options for older browsers) keeps other sites
  from framing the pages to trick a click on a form (the reviewer console's decisions). The portal
  frames only its own files (PDF previews: `frame-src 'self'`), and those answers say that only this
  site may frame them.
- HSTS only when the browser really came over TLS (directly, or by a trusted
  proxy's X-Forwarded-Proto).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from shared.kit.clients import client_scheme

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# an uploaded image or PDF, shown in the console's <img> and <iframe>: it loads nothing, and
# only this site frames it
FILE_POLICY = "default-src 'none'; frame-ancestors 'self'"
FILE_HEADERS = {"Content-Security-Policy": FILE_POLICY, "X-Frame-Options": "SAMEORIGIN"}
HSTS = "max-age=31536000; includeSubDomains"
COMMON = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def secure(request: Request, response: Response) -> Response:
    """`response` with the headers; a route that set one itself (a file's framing
    policy) keeps its own."""
    for name, value in COMMON.items():
        response.headers.setdefault(name, value)
    if client_scheme(request, request.app.state.settings.trusted_proxies) == "https":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
