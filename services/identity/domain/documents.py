"""Personal document numbers: GB 11643 resident IDs, GB 32100 credit codes,
masking, fingerprints."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# Shapes of the personal documents an individual or enterprise may prove itself with.
FORMATS = {
    "resident_id": r"[0-9]{17}[0-9X]",  # GB 11643
    # 港澳居民来往内地通行证 (H/M + 8 or 10 digits) or 港澳居民居住证
    # (810000/820000 + GB 11643 shape)
    "hk_macau_permit": r"[HM][0-9]{8}(?:[0-9]{2})?|8[12]0000[0-9]{11}[0-9X]",
    # 台湾居民来往大陆通行证 (8 digits; older 10 digits and a letter) or 台湾居民居住证 (830000 + …)
    "taiwan_permit": r"[0-9]{8}|[0-9]{10}[A-Z]?|830000[0-9]{11}[0-9X]",
    "passport": r"(?=[A-Z0-9]*[0-9])[A-Z0-9]{6,12}",  # ICAO 9303 document numbers
    "unified_social_credit_code": r"[0-9A-HJ-NPQRTUWXY]{18}",  # GB 32100
}
INDIVIDUAL_DOCUMENTS = ("resident_id", "hk_macau_permit", "taiwan_permit", "passport")


def format_ok(document_type: str, number: str) -> bool:
    """Whether `number` has the shape of a `document_type` number (no check digits here)."""
    pattern = FORMATS.get(document_type)
    return pattern is not None and re.fullmatch(pattern, normalise(number)) is not None


def normalise(number: str) -> str:
    return "".join(number.split()).upper()


def resident_id_checksum_ok(number: str) -> bool:
    """GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits."""
    number = normalise(number)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17]


def resident_id_birth_date(number: str) -> date | None:
    """The birth date encoded in digits 7–14, or None when it is not a real past date."""
    number = normalise(number)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= date.today() else None


def credit_code_checksum_ok(code: str) -> bool:
    """GB 32100-2015: the 18th character is the MOD 31 check of the first 17."""
    code = normalise(code)
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def mask(number: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """Keep only the first and last few characters: 110105********002X."""
    number = normalise(number)
    if len(number) <= keep_start + keep_end:
        return "*" * len(number)
    return number[:keep_start] + "*" * (len(number) - keep_start - keep_end) + number[-keep_end:]


def fingerprint(number: str, key: bytes) -> str:
    """A keyed fingerprint: equal numbers match, but the number cannot be recovered from it."""
    return hmac.new(key, normalise(number).encode(), hashlib.sha256).hexdigest()
