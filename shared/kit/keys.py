"""One secret (IPP_SECRET_KEY), a separate key per purpose: knowing one derived key reveals neither
the secret nor any other purpose's key.

Purposes in use: `fingerprints` (keyed fingerprints of phones and document numbers),
`<service>/events` (the event store's cipher), `csrf` (the portal's form tokens), `<service>/blobs`
(uploaded documents at rest), `sms-codes` and `email-codes` (verification codes). A derived key is
SHA-256 over the secret and the purpose's name; the fingerprint and event-cipher keys have always
been made this way, so data stored before keeps matching and decrypting.
"""

from __future__ import annotations

import hashlib
import hmac


def derive(secret: str, purpose: str) -> bytes:
    """The 32-byte key of `purpose` (a name; a service's own purposes are `<service>/<name>`)."""
    if not purpose:
        raise ValueError("a key needs a purpose")
    return hashlib.sha256(f"{secret}/{purpose}".encode()).digest()


def verification_code(key: bytes, request_id: str) -> str:
    """The six-digit email verification code of one request: identity and the notifier each derive
    it from the request's id with the `email-codes` key, so the code itself never travels on Kafka
    or sits in a store."""
    digest = hmac.new(key, request_id.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"
