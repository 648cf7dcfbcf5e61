"""Valid right submissions of each type (as command fields), to vary one rule at a time."""

from __future__ import annotations

TODAY = "2026-11-28"


def doc(purpose: str, media_type: str = "application/pdf") -> dict:
    return {
        "blob_id": "0" * 64,
        "sha256": "0" * 64,
        "media_type": media_type,
        "size": 9,
        "purpose": purpose,
    }


def trademark(**changes: object) -> dict:
    fields = {
        "identity_id": "identity-1",
        "right_type": "trademark",
        "title": "快手好物",
        "registration_number": "12345678",
        "holder_name": "张三",
        "valid_from": "2020-01-01",
        "valid_until": "2029-12-31",
        "details": {
            "registrant": "张三",
            "nice_classes": [25, 35],
            "designated_goods": {"25": ["服装"], "35": ["广告"]},
        },
        "documents": [doc("registration_certificate"), doc("mark_image", "image/png")],
    }
    return fields | changes


def copyright(**changes: object) -> dict:
    fields = {
        "identity_id": "identity-1",
        "right_type": "copyright",
        "title": "山间晨雾",
        "registration_number": "",
        "holder_name": "张三",
        "valid_from": "2021-05-01",
        "valid_until": None,
        "details": {
            "work_type": "photography",
            "author": "张三",
            "owner": "张三",
            "completion_date": "2021-05-01",
            "publication_date": "2021-06-01",
        },
        "documents": [doc("proof_of_authorship", "image/jpeg")],
    }
    return fields | changes


def patent(kind: str = "invention", **changes: object) -> dict:
    numbers = {
        "invention": "ZL201811564288.X",
        "utility_model": "ZL202322865413.3",
        "design": "ZL202330123456.7",
    }
    applied = {"invention": "2018-12-20", "utility_model": "2023-10-23", "design": "2023-03-01"}[
        kind
    ]
    fields = {
        "identity_id": "identity-1",
        "right_type": "patent",
        "title": "一种大规模接入方法",
        "registration_number": numbers[kind],
        "holder_name": "张三",
        "valid_from": applied,
        "valid_until": "2033-03-01",
        "details": {
            "patent_kind": kind,
            "patentee": "张三",
            "application_date": applied,
            "grant_date": "2024-03-20",
        },
        "documents": [doc("patent_certificate"), doc("annual_fee_receipt")]
        + ([doc("evaluation_report")] if kind != "invention" else []),
    }
    return fields | changes


def with_details(fields: dict, **changes: object) -> dict:
    return fields | {"details": fields["details"] | changes}


def without_document(fields: dict, purpose: str) -> dict:
    return fields | {"documents": [d for d in fields["documents"] if d["purpose"] != purpose]}
