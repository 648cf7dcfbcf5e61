"""A right's `details`, bounded per right type at the edge: the shape and size of each
field, nothing more.

Whether a value is right (a Nice class from 1 to 45, a known work type, a real date) stays the
domain's judgement (services/rights/domain/admission.py, with its own codes), so the kinds of value
it judges pass here (text, a number, true/false, null); a value too long, too many, nested deeper
than its type or under a key the type does not have is refused: 422 INVALID_DETAILS with one problem
per field (`details.<name>`).

Worst case of a trademark's details in its RightRegistered event: 1000 goods × 100 characters × 6
bytes (a control character is escaped as \\u0000) ≈ 600 KB, plus the registrant and 45 classes ≈ 2
KB; copyright and patent details are under 3 KB. With the other fields of the right (≤ 200
characters each, 20 documents) the event stays under 620 KB, well inside Kafka's 1 MB record.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from services.rights.domain.errors import InvalidDetails
from services.rights.domain.submission import Problem

MAX_CLASSES = 45  # the Nice Classification has 45 classes
MAX_GOODS_PER_CLASS = 50
MAX_GOODS = 1000  # in all classes together: bounds the event's size
MAX_GOODS_CHARS = 100
MAX_NAME_CHARS = 200
MAX_PROBLEMS = 20
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
Choice = Annotated[
    str, StringConstraints(max_length=40)
]  # work type, patent kind: the domain names the choices
DateText = Annotated[
    str, StringConstraints(max_length=32)
]  # the domain judges whether it is YYYY-MM-DD
ClassKey = Annotated[str, StringConstraints(max_length=10)]
Goods = Annotated[str, StringConstraints(max_length=MAX_GOODS_CHARS)]


def nice_class_value(value: object) -> object:
    """One short value the domain can judge as a Nice class (a number, text, true/false or null)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, int) and abs(value) < 10_000:  # true and false are ints too
        return value
    if isinstance(value, str) and len(value) <= 10:
        return value
    raise ValueError("a Nice class is a whole number from 1 to 45")


NiceClass = Annotated[
    object,
    PlainValidator(nice_class_value),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_CLASSES}),
]


class TypeDetails(BaseModel):
    """Details of one right type: every field optional (the domain says which are
    missing), no other keys."""

    model_config = ConfigDict(extra="forbid")


class TrademarkDetails(TypeDetails):
    registrant: Name | None = None
    nice_classes: Annotated[list[NiceClass], Field(max_length=MAX_CLASSES)] | None = None
    designated_goods: (
        Annotated[
            dict[ClassKey, Annotated[list[Goods], Field(max_length=MAX_GOODS_PER_CLASS)]],
            Field(max_length=MAX_CLASSES),
        ]
        | None
    ) = None

    @field_validator("designated_goods")
    @classmethod
    def _at_most_max_goods(cls, goods: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if goods and sum(len(names) for names in goods.values()) > MAX_GOODS:
            raise ValueError(f"at most {MAX_GOODS} designated goods or services in all classes")
        return goods


class CopyrightDetails(TypeDetails):
    work_type: Choice | None = None
    author: Name | None = None
    owner: Name | None = None
    completion_date: DateText | None = None
    publication_date: DateText | None = None


class PatentDetails(TypeDetails):
    patent_kind: Choice | None = None
    patentee: Name | None = None
    application_date: DateText | None = None
    grant_date: DateText | None = None


PER_TYPE: dict[str, type[TypeDetails]] = {
    "trademark": TrademarkDetails,
    "copyright": CopyrightDetails,
    "patent": PatentDetails,
}


def field_of(loc: tuple) -> str:
    """The form field at fault, as the domain names it: `details.<name>` (a
    bounded, printable name)."""
    if not loc:
        return "details"
    name = (
        str(loc[0])[:40].encode("utf-8", "replace").decode()
    )  # an unknown key is the client's own text
    return f"details.{name}"


def message(error: dict, right_type: str) -> str:
    if error["type"] == "extra_forbidden":
        return f"This is not a detail of a {right_type}."
    if error["type"] == "value_error":  # one of ours: its text without pydantic's "Value error, "
        return str(error["ctx"]["error"])
    return str(error["msg"])


def problems_of(exc: ValidationError, right_type: str) -> list[Problem]:
    """One problem per field at fault (its first error), at most MAX_PROBLEMS."""
    found: dict[str, Problem] = {}
    for error in exc.errors(include_url=False, include_input=False):
        field = field_of(error["loc"])
        found.setdefault(field, Problem("INVALID_DETAILS", field, message(error, right_type)))
    return list(found.values())[:MAX_PROBLEMS]


def typed_details(right_type: str, details: dict) -> dict:
    """The details as the type's model bounds them (the keys given, nothing added); else
    422 INVALID_DETAILS."""
    try:
        typed = PER_TYPE[right_type].model_validate(details)
    except ValidationError as exc:
        problems = problems_of(exc, right_type)
        raise InvalidDetails(
            f"{problems[0].field}: {problems[0].message}",
            {"problems": [p.as_dict() for p in problems]},
        ) from None
    return typed.model_dump(exclude_unset=True)


def details_schema() -> dict:
    """The JSON schema of `details`: one of the three types' (which one, `right_type` says)."""
    return {
        "anyOf": [model.model_json_schema() for model in PER_TYPE.values()],
        "description": "The right type's own fields; `right_type` picks which.",
    }
