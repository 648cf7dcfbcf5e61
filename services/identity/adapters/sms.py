"""How an SMS code reaches a phone: the `SmsSender` port and its adapters.

The code is a credential, so it goes to the phone and nowhere else: never into a log line, an event
or a response. `HttpSmsGateway` is the real thing (any provider behind a small JSON webhook);
`DevMailboxSms` puts the text in the development SMTP sink's Maildir, where /dev/mailbox shows it;
`UndeliveredSms` is for a development or test stack with neither (it delivers nothing and says so in
the log, with the masked phone only). Production refuses to start without a gateway (sms_sender()).
"""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import httpx

from services.identity.domain.documents import mask
from shared.kit.errors import Unavailable
from shared.kit.logs import log
from shared.kit.settings import Settings
from shared.kit.tls import tls_context

RETRY_AFTER_SECONDS = 60  # the same as the spacing between two codes for one phone


class SmsUnavailable(Unavailable):
    """503 SMS_UNAVAILABLE with Retry-After: the gateway did not take the message."""

    code = "SMS_UNAVAILABLE"
    message = "The SMS could not be sent; try again shortly."

    def __init__(self) -> None:
        super().__init__(
            details={"retry_after": RETRY_AFTER_SECONDS}, retry_after=RETRY_AFTER_SECONDS
        )


class SmsSender(Protocol):
    def send(self, phone: str, message: str) -> None:
        """Deliver `message` to `phone` (E.164) or raise SmsUnavailable."""


class HttpSmsGateway:
    """POST {"to": E.164, "message": text} with a bearer token; any 2xx is accepted, anything else
    (or no answer within the timeout) is SmsUnavailable. The gateway's answer is not logged: it may
    echo the message."""

    def __init__(
        self,
        url: str,
        token: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.transport = transport

    def send(self, phone: str, message: str) -> None:
        try:
            with httpx.Client(
                timeout=self.timeout, transport=self.transport, verify=tls_context()
            ) as client:
                response = client.post(
                    self.url,
                    json={"to": phone, "message": message},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
        except httpx.HTTPError as exc:
            log.warning("sms.gateway_unreachable", phone=mask(phone), error=type(exc).__name__)
            raise SmsUnavailable from exc
        if not response.is_success:
            log.warning("sms.gateway_refused", phone=mask(phone), status=response.status_code)
            raise SmsUnavailable
        log.info("sms.sent", phone=mask(phone))


class DevMailboxSms:
    """The text as an email in the development SMTP sink's Maildir (<data_dir>/mail), shown by
    /dev/mailbox: the subject and recipient name only the masked phone."""

    def __init__(self, maildir: Path, sender: str) -> None:
        self.maildir, self.sender = maildir, sender

    def send(self, phone: str, message: str) -> None:
        masked = mask(phone)
        mail = EmailMessage()
        mail["From"], mail["To"] = self.sender, f"SMS {masked} <sms@ipp.invalid>"
        mail["Subject"] = f"SMS to {masked}"
        mail["Date"], mail["Message-ID"] = formatdate(usegmt=True), make_msgid(domain="ipp.invalid")
        mail["X-IPP-SMS-To"] = masked
        mail.set_content(message)
        mailbox.Maildir(self.maildir, create=True).add(mail.as_bytes())
        log.info("sms.to_dev_mailbox", phone=masked)


class UndeliveredSms:
    """No gateway and no dev mailbox (development or test): nothing is delivered;
    IPP_DEV_CODE signs in."""

    def send(self, phone: str, message: str) -> None:
        log.info("sms.not_delivered", phone=mask(phone))


def sms_sender(settings: Settings) -> SmsSender:
    """The gateway when one is configured, else the dev mailbox when that is on, else nothing
    (refused in production: there, a code nobody receives would lock every new user out)."""
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else ""
        return HttpSmsGateway(settings.sms_gateway_url, token)
    if settings.env == "production":
        raise RuntimeError(
            "IPP_SMS_GATEWAY_URL (and IPP_SMS_GATEWAY_TOKEN) are required when IPP_ENV=production: "
            "identity sends its sign-in codes through that gateway"
        )
    if settings.dev_mailbox:
        return DevMailboxSms(settings.data_dir / "mail", settings.mail_from)
    return UndeliveredSms()
