"""Fresh, valid people for each test: unique phones, emails and resident ID numbers."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from deploy.client import Client, resident_id

_serial = itertools.count(random.randrange(1000) * 1000)
USED_NUMBERS: list[str] = []  # every raw phone and ID number a test used, to look for leaks


@dataclass
class Holder:
    client: Client
    phone: str
    email: str
    id_number: str
    identity_id: str
    right_id: str


def new_holder(client: Client, valid_id: bool = True) -> Holder:
    """Register, bind an email, submit an individual identity and a trademark right."""
    n = next(_serial)
    phone = f"139{n:08d}"
    id_number = resident_id(n, born=f"19{50 + n % 40:02d}0{1 + n % 9}1{n % 10}", valid=valid_id)
    USED_NUMBERS.extend([phone, id_number])
    email = f"holder-{n}@example.com"
    client.register(phone, "correct horse battery")
    client.bind_email(email)
    identity_id = client.submit_identity(id_number=id_number)
    right_id = client.register_trademark(identity_id)
    return Holder(client, phone, email, id_number, identity_id, right_id)


def listing(n: int) -> str:
    return f"https://www.kwaixiaodian.com/item/{10_000_000 + n}"
