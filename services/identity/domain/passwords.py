"""What a password must be: long enough that guessing within the sign-in limits is hopeless, and not
one of the passwords every attacker tries first.

Rate limits stop a thousand guesses at one account, not five: 5 tries per 15 minutes is enough to
walk the top of any leaked list, so the list's favourites are refused outright
(common_passwords.txt), also with digits or symbols stuck before or after them (`password-1`,
`iloveyou2024`, `123woaini`), and so is the account's own phone number. Length is counted in
characters; nothing else about composition is demanded (NIST SP 800-63B).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import phonenumbers

MIN_LENGTH = 10
MAX_LENGTH = 128  # argon2 hashes anything, but a megabyte "password" is a way to burn our CPU
RULES = ("blank", "too_short", "too_long", "common", "contains_login")
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits, punctuation, spaces at either end


@cache
def common_passwords() -> frozenset[str]:
    text = (
        files("services.identity.domain")
        .joinpath("common_passwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    """In the list as it is or once the digits and symbols around it are taken off, or one or two
    characters repeated (`aaaaaaaaaa`, `1212121212`): the guesses that come first."""
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    return (
        lowered in common_passwords()
        or (bool(core) and core in common_passwords())
        or len(set(lowered)) < 3
    )


def weakness(password: str, phone: str | None = None) -> str | None:
    """The first rule (of RULES) `password` breaks, or None when it may be used. `phone` is the
    account's E.164 number: its national digits must not be in the password (they are the
    login, and not secret)."""
    if not password.strip():
        return "blank"
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if is_common(password):
        return "common"
    if phone and _phone_digits(phone) in re.sub(r"\D", "", password):
        return "contains_login"
    return None


def _phone_digits(phone: str) -> str:
    """The number as people type it at home: +8613800138000 → 13800138000."""
    return phonenumbers.national_significant_number(phonenumbers.parse(phone))
