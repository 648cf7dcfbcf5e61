"""How a typed phone number or login is read: one form per account, however it is typed."""

from __future__ import annotations

import phonenumbers

from services.identity.domain.errors import InvalidPhone
from shared.kit.errors import ServiceError


def normalise_phone(phone: str) -> str:
    """E.164, mainland China by default; 422 INVALID_PHONE otherwise."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("This is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("This is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def login_key(login: str) -> str:
    """What failed sign-ins count against: one key per account however its login is typed (`+86
    138…`, `0086138…`, `138-…`, `(138) …` are one E.164 number; an email in any case is one
    address), and for anything else the login without spaces, case-folded, so it too cannot be
    varied into fresh tries."""
    login = login.strip()
    if "@" in login:
        return login.lower()
    try:
        return normalise_phone(login)
    except ServiceError:
        return "login:" + "".join(login.split()).casefold()
