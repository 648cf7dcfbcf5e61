"""What a right's materials say, read the same way at the edge (a request) and at review
(a stored right)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Problem:
    """Why a submission is refused at once: a stable code, the field at fault and what to fix."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


def parse_date(value: object) -> date | None:
    """An ISO date (a date or its text), else None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Submission:
    """A right's fields: the common ones of RightRegistered and the type's own `details`."""

    right_type: str
    title: str
    registration_number: str
    holder_name: str
    valid_from: date | None
    valid_until: date | None
    details: dict
    documents: tuple[dict, ...]

    @classmethod
    def of(cls, source: object) -> Submission:
        """From a stored Right (or anything with a right's attributes)."""
        return cls.from_fields(
            {name: getattr(source, name, None) for name in cls.__dataclass_fields__}
        )

    @classmethod
    def from_fields(cls, fields: dict) -> Submission:
        return cls(
            right_type=fields["right_type"],
            title=fields.get("title") or "",
            registration_number=(fields.get("registration_number") or "").strip(),
            holder_name=(fields.get("holder_name") or "").strip(),
            valid_from=parse_date(fields.get("valid_from")),
            valid_until=parse_date(fields.get("valid_until")),
            details=dict(fields.get("details") or {}),
            documents=tuple(fields.get("documents") or ()),
        )

    @property
    def purposes(self) -> set[str]:
        return {d.get("purpose", "") for d in self.documents}

    def text(self, name: str) -> str:
        """A text detail, stripped; "" when absent or not text."""
        value = self.details.get(name)
        return value.strip() if isinstance(value, str) else ""

    def date(self, name: str) -> date | None:
        return parse_date(self.details.get(name))

    def missing_text(self, names: dict[str, str]) -> list[Problem]:
        """INVALID_DETAILS for each of {detail: what it is} that is not given."""
        return [
            Problem("INVALID_DETAILS", f"details.{name}", f"Give the {what}.")
            for name, what in names.items()
            if not self.text(name)
        ]


def same_party(a: str, b: str) -> bool:
    """Names compared as a registry would print them: case and spacing do not matter."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()
