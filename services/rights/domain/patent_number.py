"""CNIPA patent (application) numbers: `ZL` + 12 digits + `.` + a check digit,
e.g. `ZL200310102344.5`.

The 12 digits are the application year (4), the kind (1: invention, 2: utility model, 3: design, 8
and 9: PCT inventions and utility models entering China) and a 7-digit serial. The check digit is
the sum of the digits weighted 2,3,4,5,6,7,8,9,2,3,4,5, modulo 11; a remainder of 10 is written `X`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_SHAPE = re.compile(r"^(?:ZL|CN)?(\d{12})\.?([0-9X])$")
KIND_OF_DIGIT = {
    "1": "invention",
    "8": "invention",
    "2": "utility_model",
    "9": "utility_model",
    "3": "design",
}


def check_digit(digits: str) -> str:
    """The check digit of 12 application-number digits."""
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True)
class PatentNumber:
    digits: str
    check: str

    @property
    def check_digit_ok(self) -> bool:
        return check_digit(self.digits) == self.check

    @property
    def year(self) -> int:
        return int(self.digits[:4])

    @property
    def kind(self) -> str | None:
        """invention, utility_model or design, as the number's fifth digit says
        (None: unknown digit)."""
        return KIND_OF_DIGIT.get(self.digits[4])

    def __str__(self) -> str:
        return f"ZL{self.digits}.{self.check}"


def parse(text: str) -> PatentNumber | None:
    """The number's parts if it has the shape of one (spaces and the ZL/CN prefix
    optional), else None."""
    match = _SHAPE.match(re.sub(r"\s+", "", text or "").upper())
    return PatentNumber(match.group(1), match.group(2)) if match else None


def is_valid(text: str) -> bool:
    """Whether `text` is a patent number with a correct check digit."""
    number = parse(text)
    return number is not None and number.check_digit_ok
