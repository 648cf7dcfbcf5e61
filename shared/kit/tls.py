"""The TLS context every outbound HTTPS client verifies servers with, built once per process.

It is httpx's own default (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR when set): the same
verification an `httpx.Client()` makes for itself, without reading the CA bundle again for each
client (about 20 ms apiece). An SSLContext is safe to share between clients and threads.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, made on first use and shared from then on."""
    return httpx.create_ssl_context()
