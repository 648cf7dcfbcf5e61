"""SMS codes reach the phone through the SmsSender port and nowhere else: not the log, not an
event, not a response; the table holds only a keyed hash; a gateway that fails is a 503 the
client can retry."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from services.identity.adapters.read_models import sms_codes
from services.identity.adapters.sms import DevMailboxSms, HttpSmsGateway, UndeliveredSms, sms_sender
from services.identity.application import IdentityApplication
from services.notifier.adapters.maildir import newest_first
from shared.kit.settings import Settings
from tests.unit.identity.conftest import Identity

PHONE = "13800138600"
E164 = "+8613800138600"
MASKED = "+86*******8600"
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


class Gateway:
    """An SMS provider's webhook: records what it was sent, answers `status` (or raises `error`)."""

    def __init__(self, status: int = 200, error: Exception | None = None) -> None:
        self.status = status
        self.error = error
        self.requests = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, json={"ok": self.status < 400})

    def codes(self) -> list[str]:
        return [CODE.search(json.loads(r.content)["message"]).group() for r in self.requests]


def with_gateway(tmp_path, gateway: Gateway) -> Identity:
    sender = HttpSmsGateway(
        "https://sms.example/send", "gateway-token", transport=httpx.MockTransport(gateway)
    )
    return Identity(tmp_path, dev_code=None, sms=sender)


def test_the_gateway_is_posted_the_e164_number_and_the_text_with_its_token(tmp_path):
    gateway = Gateway()
    identity = with_gateway(tmp_path, gateway)
    assert identity.http.post("/v1/sms-codes", json={"phone": "138-0013-8600"}).status_code == 202
    [request] = gateway.requests
    assert (request.method, str(request.url)) == ("POST", "https://sms.example/send")
    assert request.headers["authorization"] == "Bearer gateway-token"
    body = json.loads(request.content)
    assert body["to"] == E164 and CODE.search(body["message"])


def test_the_code_the_phone_received_signs_in_once(tmp_path):
    gateway = Gateway()
    identity = with_gateway(tmp_path, gateway)
    identity.http.post("/v1/sms-codes", json={"phone": PHONE})
    [code] = gateway.codes()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert (
        identity.http.post(
            "/v1/accounts",
            json={"phone": PHONE, "password": "correct horse battery", "sms_code": wrong},
        ).status_code
        == 422
    )
    assert (
        identity.http.post(
            "/v1/accounts",
            json={"phone": PHONE, "password": "correct horse battery", "sms_code": code},
        ).status_code
        == 201
    )
    again = identity.http.post(
        "/v1/sessions", json={"method": "sms", "phone": PHONE, "sms_code": code}
    )
    assert again.status_code == 401, "a code is used once"


def test_only_a_keyed_hash_of_the_code_is_stored(tmp_path):
    gateway = Gateway()
    identity = with_gateway(tmp_path, gateway)
    identity.http.post("/v1/sms-codes", json={"phone": PHONE})
    [code] = gateway.codes()
    with identity.app.engine.connect() as connection:
        [row] = connection.execute(select(sms_codes)).all()
    assert code not in " ".join(str(value) for value in row) and len(row.code_hash) == 64
    # the same code under another deployment's key is another hash: the table alone
    # does not give it back
    other = IdentityApplication(
        Settings(service="identity", data_dir=tmp_path / "other", secret_key="k" * 40)
    )
    assert other._code_hash(row.phone_fingerprint, code) != row.code_hash


@pytest.mark.parametrize(
    "gateway",
    [Gateway(status=500), Gateway(status=401), Gateway(error=httpx.ConnectTimeout("timed out"))],
)
def test_a_gateway_that_does_not_take_the_message_is_503_with_retry_after(
    tmp_path, gateway: Gateway
):
    identity = with_gateway(tmp_path, gateway)
    response = identity.http.post("/v1/sms-codes", json={"phone": PHONE})
    assert (response.status_code, response.json()["error"]["code"]) == (503, "SMS_UNAVAILABLE")
    assert int(response.headers["Retry-After"]) > 0
    with identity.app.engine.connect() as connection:
        assert connection.execute(select(sms_codes)).all() == [], (
            "a code nobody received does not sign in"
        )


def test_the_dev_mailbox_gets_the_text_under_the_masked_phone(tmp_path):
    identity = Identity(tmp_path, dev_code=None, dev_mailbox=True)
    assert isinstance(identity.app.sms, DevMailboxSms)
    assert identity.http.post("/v1/sms-codes", json={"phone": PHONE}).status_code == 202
    [mail] = newest_first(tmp_path / "mail")  # as /dev/mailbox reads the SMTP sink's Maildir
    assert MASKED in mail.subject and MASKED in mail.to
    raw = b"".join(path.read_bytes() for path in (tmp_path / "mail").rglob("*") if path.is_file())
    assert PHONE.encode() not in raw, "the full phone is not in the dev mailbox"


def test_the_mailed_code_registers(tmp_path):
    identity = Identity(tmp_path, dev_code=None, dev_mailbox=True)
    identity.http.post("/v1/sms-codes", json={"phone": PHONE})
    [mail] = newest_first(tmp_path / "mail")
    body = {
        "phone": PHONE,
        "password": "correct horse battery",
        "sms_code": CODE.search(mail.text).group(),
    }
    assert identity.http.post("/v1/accounts", json=body).status_code == 201


def test_which_sender_each_setting_picks(tmp_path):
    assert isinstance(sms_sender(Settings(service="identity", data_dir=tmp_path)), UndeliveredSms)
    assert isinstance(
        sms_sender(Settings(service="identity", data_dir=tmp_path, dev_mailbox=True)), DevMailboxSms
    )
    gateway = sms_sender(
        Settings(
            service="identity",
            sms_gateway_url="https://sms.example/send",
            sms_gateway_token="t0ken",
            dev_mailbox=True,
        )
    )
    assert isinstance(gateway, HttpSmsGateway) and gateway.token == "t0ken"


def test_production_without_a_gateway_does_not_start(tmp_path):
    production = Settings(
        service="identity",
        data_dir=tmp_path,
        env="production",
        secret_key="s" * 40,
        jwt_keys_file=tmp_path / "keys.json",
    )
    with pytest.raises(RuntimeError, match="IPP_SMS_GATEWAY_URL"):
        IdentityApplication(production)


@pytest.mark.parametrize("sender", ["gateway", "dev_mailbox", "none"])
def test_no_code_in_any_log_line_event_or_response(tmp_path, monkeypatch, sender: str):
    monkeypatch.setattr(
        "services.identity.application.new_code", lambda: "482913"
    )  # a code to look for
    gateway = Gateway()
    if sender == "gateway":
        identity = with_gateway(tmp_path, gateway)
    else:
        identity = Identity(tmp_path, dev_code=None, dev_mailbox=sender == "dev_mailbox")
    with capture_logs() as entries:
        responses = [identity.http.post("/v1/sms-codes", json={"phone": PHONE})]
        responses.append(
            identity.http.post(
                "/v1/accounts",
                json={"phone": PHONE, "password": "correct horse battery", "sms_code": "482913"},
            )
        )
        responses.append(
            identity.http.post(
                "/v1/sessions", json={"method": "sms", "phone": PHONE, "sms_code": "482913"}
            )
        )
    assert [r.status_code for r in responses] == [
        202,
        201,
        401,
    ]  # the code was made, worked, and only once
    if sender == "gateway":
        assert gateway.codes() == ["482913"]
    if sender == "dev_mailbox":
        assert "482913" in newest_first(tmp_path / "mail")[0].text
    assert [e for e in entries if e.get("phone") == MASKED], (
        f"the SMS is logged, masked phone only: {entries}"
    )
    assert not any("482913" in json.dumps(entry, default=str) for entry in entries)
    assert not any(PHONE in json.dumps(entry, default=str) for entry in entries)
    assert not any("482913" in response.text for response in responses)
    events = [
        identity.app.mapper.to_domain_event(item)
        for item in identity.app.notification_log.select(1, 10)
    ]
    assert events and not any("482913" in repr(vars(event)) for event in events)
