"""How often sign-ins and code requests may be tried: the platform's brakes on
guessing and flooding."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `attempts` within `window` seconds per key; beyond that, 429 with `code`."""

    name: str
    attempts: int
    window: float
    code: str


TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
CODE_REQUESTED_TOO_OFTEN = "CODE_REQUESTED_TOO_OFTEN"

FAILED_SIGN_INS_PER_LOGIN = Limit("sign_in.login", 5, 15 * 60, TOO_MANY_ATTEMPTS)
FAILED_SIGN_INS_PER_IP = Limit("sign_in.ip", 20, 15 * 60, TOO_MANY_ATTEMPTS)
SMS_CODES_PER_PHONE = Limit("sms_code.phone", 1, 60, CODE_REQUESTED_TOO_OFTEN)
SMS_CODES_PER_IP = Limit("sms_code.ip", 10, 60 * 60, CODE_REQUESTED_TOO_OFTEN)
EMAIL_CODES_PER_ACCOUNT = Limit("email_code.account", 1, 60, CODE_REQUESTED_TOO_OFTEN)
# "is this document number registered?" may be asked a few times a day per account,
# whether by submitting an identity (409 DOCUMENT_ALREADY_REGISTERED) or a dispute (201,
# or 409 NOTHING_TO_DISPUTE)
DOCUMENT_TAKEN_ANSWERS = Limit("document.taken", 5, 24 * 60 * 60, TOO_MANY_ATTEMPTS)
DISPUTES_PER_ACCOUNT = Limit("document.dispute", 5, 24 * 60 * 60, TOO_MANY_ATTEMPTS)


def sms_codes_per_phone_per_day(per_day: int) -> Limit:
    """Besides the minute between codes: a phone gets at most `per_day` codes a day
    (IPP_SMS_CODES_PER_PHONE_PER_DAY), so nobody can make the platform text a stranger's phone all
    day, or run up the gateway's bill."""
    return Limit("sms_code.phone_day", per_day, 24 * 60 * 60, CODE_REQUESTED_TOO_OFTEN)
