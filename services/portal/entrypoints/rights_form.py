"""The add/amend right form: its fields per right type, turned into the rights
API's body, and back."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from services.portal.adapters.api import Api

COMMON = ("title", "registration_number", "holder_name", "valid_from", "valid_until")
DETAILS = {
    "trademark": ("registrant", "nice_classes", "designated_goods"),
    "copyright": ("work_type", "author", "owner", "completion_date", "publication_date"),
    "patent": ("patent_kind", "patentee", "application_date", "grant_date"),
}
FILES = {  # form field -> document purpose, per right type
    "trademark": {"certificate": "registration_certificate", "mark_image": "mark_image"},
    "copyright": {"certificate": "proof_of_authorship"},
    "patent": {
        "certificate": "patent_certificate",
        "annual_fee_receipt": "annual_fee_receipt",
        "evaluation_report": "evaluation_report",
    },
}


def right_type_of(value: str) -> str:
    return value if value in DETAILS else "trademark"


def parse_classes(text: str) -> list[int | str]:
    parts = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    return [int(c) if c.isdigit() else c for c in parts]


def parse_goods(text: str) -> dict[str, list[str]]:
    """'25: 服装, 鞋' one class per line (or separated by ';') -> {"25": ["服装", "鞋"]}."""
    goods: dict[str, list[str]] = {}
    for line in text.replace("；", ";").replace("\n", ";").split(";"):
        cls, _, names = line.replace("：", ":").partition(":")
        if cls.strip():
            names = names.replace("，", ",").replace("、", ",")
            goods[cls.strip()] = [g.strip() for g in names.split(",") if g.strip()]
    return goods


def details_of(right_type: str, values: dict) -> dict:
    details: dict = {name: values.get(name, "").strip() for name in DETAILS[right_type]}
    if right_type == "trademark":
        details["nice_classes"] = parse_classes(values.get("nice_classes", ""))
        details["designated_goods"] = parse_goods(values.get("designated_goods", ""))
    if right_type == "copyright" and not details["publication_date"]:
        details.pop("publication_date")
    return details


def values_of_form(form: FormData, right_type: str) -> dict:
    """The typed text fields of the form (never the files)."""
    names = (*COMMON, *DETAILS[right_type])
    return {"right_type": right_type, **{n: str(form.get(n) or "") for n in names}}


def values_of_right(right: dict) -> dict:
    """A stored right as the form's values (to amend it)."""
    details = right.get("details") or {}
    values = {n: str(right.get(n) or "") for n in COMMON}
    values.update({n: str(details.get(n) or "") for n in DETAILS[right["right_type"]]})
    if right["right_type"] == "trademark":
        values["nice_classes"] = ", ".join(str(c) for c in details.get("nice_classes", []))
        goods = details.get("designated_goods") or {}
        values["designated_goods"] = "\n".join(f"{c}: {', '.join(g)}" for c, g in goods.items())
    return {"right_type": right["right_type"], **values}


async def documents_of(
    client: Api, form: FormData, right_type: str, kept: list[dict] | None = None
) -> list[dict]:
    """The documents uploaded now, replacing those of the same purpose that the
    right already had."""
    documents = [{"blob_id": d["blob_id"], "purpose": d["purpose"]} for d in kept or []]
    for field, purpose in FILES[right_type].items():
        file = form.get(field)
        if isinstance(file, UploadFile) and file.filename:
            blob = await client.upload(
                "rights", file.filename, await file.read(), file.content_type
            )
            documents = [d for d in documents if d["purpose"] != purpose] + [
                {"blob_id": blob, "purpose": purpose}
            ]
    return documents


def body_of(identity_id: str, values: dict, documents: list[dict]) -> dict:
    right_type = values["right_type"]
    return {
        "identity_id": identity_id,
        "right_type": right_type,
        "title": values["title"],
        "registration_number": values["registration_number"],
        "holder_name": values["holder_name"],
        "valid_from": values["valid_from"],
        "valid_until": values["valid_until"] or None,
        "details": details_of(right_type, values),
        "documents": documents,
    }
