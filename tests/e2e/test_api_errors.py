"""Bad input gets a clear 4xx with a stable code (CONTRACT.md, HTTP), across the services."""

from __future__ import annotations

import pytest

from deploy.client import PNG, ApiFailure
from tests.e2e.people import listing, new_holder


def refused(call, *args, **kwargs) -> ApiFailure:
    with pytest.raises(ApiFailure) as failure:
        call(*args, **kwargs)
    assert 400 <= failure.value.response.status_code < 500
    return failure.value


def test_complaint_errors_name_what_is_wrong(platform):
    holder = new_holder(platform.client())
    stranger = new_holder(platform.client())
    complaints = f"{holder.client.urls.complaints}/v1/complaints"
    body = {
        "right_id": holder.right_id,
        "infringement_type": "counterfeit_goods",
        "targets": [{"url": listing(7)}],
    }
    assert refused(stranger.client.call, "POST", complaints, json=body).code == "RIGHT_NOT_USABLE"
    off_market = {**body, "targets": [{"url": "https://evil.example.com/item/1234567"}]}
    assert refused(holder.client.call, "POST", complaints, json=off_market).code == "INVALID_TARGET"
    wrong_type = {**body, "infringement_type": "patent_infringement"}
    assert (
        refused(holder.client.call, "POST", complaints, json=wrong_type).code
        == "INVALID_INFRINGEMENT_TYPE"
    )
    assert (
        refused(holder.client.call, "POST", complaints, json={"right_id": 1}).code
        == "VALIDATION_FAILED"
    )
    anonymous = platform.client()
    assert refused(anonymous.call, "GET", complaints).code == "UNAUTHENTICATED"

    complaint_id = holder.client.file_complaint(holder.right_id, [listing(8)])
    holder.client.wait_for_verdict(complaint_id)
    withdraw = f"{complaints}/{complaint_id}/withdraw"
    assert refused(holder.client.call, "POST", withdraw).code == "COMPLAINT_DECIDED"
    assert (
        refused(stranger.client.call, "GET", f"{complaints}/{complaint_id}").code
        == "COMPLAINT_NOT_FOUND"
    )


def test_identity_and_rights_errors_name_what_is_wrong(platform):
    holder = new_holder(platform.client())
    identity = holder.client.urls.identity
    again = {"phone": holder.phone, "password": "another password", "sms_code": "000000"}
    assert (
        refused(holder.client.call, "POST", f"{identity}/v1/accounts", json=again).code
        == "PHONE_ALREADY_REGISTERED"
    )
    wrong = {"method": "password", "login": holder.phone, "password": "not it"}
    assert (
        refused(holder.client.call, "POST", f"{identity}/v1/sessions", json=wrong).code
        == "INVALID_CREDENTIALS"
    )
    assert refused(holder.client.bind_email, "other@example.com").code == "EMAIL_ALREADY_BOUND"
    front, back = (
        holder.client.upload(identity, PNG + b"f"),
        holder.client.upload(identity, PNG + b"b"),
    )
    resubmit = {
        "role": "holder",
        "holder": {
            "kind": "individual",
            "name": "张三",
            "id_number": holder.id_number,
            "id_card_front": front,
            "id_card_back": back,
        },
    }
    locked = refused(
        holder.client.call, "PUT", f"{identity}/v1/identities/{holder.identity_id}", json=resubmit
    )
    assert locked.code == "IDENTITY_LOCKED"
    files = f"{holder.client.urls.rights}/v1/files"
    not_an_image = refused(
        holder.client.call, "POST", files, files={"file": ("x.exe", b"MZ\x90\x00binary")}
    )
    assert not_an_image.code == "UNSUPPORTED_MEDIA_TYPE"
    assert holder.client.upload(holder.client.urls.rights, PNG)
    right = f"{holder.client.urls.rights}/v1/rights/{holder.right_id}"
    amend = {
        "identity_id": holder.identity_id,
        "right_type": "trademark",
        "title": "x",
        "holder_name": "张三",
        "valid_from": "2020-01-01",
    }
    assert refused(holder.client.call, "PUT", right, json=amend).code == "RIGHT_LOCKED"

    newcomer = platform.client()
    n = holder.phone[-6:]
    newcomer.register(f"135{n}00", "correct horse battery")
    front, back = newcomer.upload(identity, PNG + b"nf"), newcomer.upload(identity, PNG + b"nb")
    body = {
        "role": "holder",
        "holder": {**resubmit["holder"], "id_card_front": front, "id_card_back": back},
    }
    assert (
        refused(newcomer.call, "POST", f"{identity}/v1/identities", json=body).code
        == "EMAIL_NOT_BOUND"
    )
    newcomer.bind_email(f"newcomer-{n}@example.com")
    taken = refused(newcomer.call, "POST", f"{identity}/v1/identities", json=body)
    assert taken.code == "DOCUMENT_ALREADY_REGISTERED"
    assert holder.id_number not in taken.response.text
