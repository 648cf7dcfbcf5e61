"""A small client of IPP's public HTTP API: the journey the seed describes, step by step."""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass, field

import httpx


def png_image(
    width: int = 96, height: int = 60, rgb: tuple[int, int, int] = (230, 90, 40)
) -> bytes:
    """A real PNG (a card-shaped picture with a band across it), so pages can show
    what was uploaded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    band = range(height // 3, 2 * height // 3)
    rows = b"".join(
        b"\x00" + bytes(rgb if y in band else (250, 246, 240)) * width for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def pdf_document(text: str = "IPP test document") -> bytes:
    """A real one-page PDF saying `text` (ASCII), so a browser's PDF viewer shows
    what was uploaded."""
    stream = f"BT /F1 20 Tf 24 90 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 200] /Resources << /Font << /F1 4 "
            b"0 R >> >> /Contents 5 0 R >>"
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    xref += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(body),
    )
    return body + xref + trailer


PNG = (
    png_image()
)  # bytes appended (tests tag uploads that way) are ignored by image decoders and PDF viewers
PDF = pdf_document()
VALID_ID = "11010519491231002X"  # GB 11643 check digit X
INVALID_ID = "110105194912310021"


def resident_id(serial: int, born: str = "19900307", valid: bool = True) -> str:
    """A resident ID number with a correct (or deliberately wrong) GB 11643 check digit."""
    body = f"110105{born}{serial % 1000:03d}"
    total = sum(
        int(d) * w
        for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = "10X98765432"[total % 11]
    return body + (check if valid else "10X98765432"[(total + 1) % 11])


@dataclass
class Urls:
    identity: str = "http://127.0.0.1:8081"
    rights: str = "http://127.0.0.1:8082"
    complaints: str = "http://127.0.0.1:8083"
    notifier: str = "http://127.0.0.1:8084"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Urls:
        def url(name: str, port: int) -> str:
            return f"http://127.0.0.1:{env.get(f'IPP_{name.upper()}_PORT', port)}"

        return cls(
            url("identity", 8081),
            url("rights", 8082),
            url("complaints", 8083),
            url("notifier", 8084),
        )


class ApiFailure(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code} "
            f"{response.text}"
        )
        self.response = response
        self.code = (response.json().get("error") or {}).get("code") if response.content else None


@dataclass
class Client:
    """One signed-in (or not yet) user of the platform."""

    urls: Urls = field(default_factory=Urls)
    token: str | None = None
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def call(
        self,
        method: str,
        url: str,
        expect: int | tuple[int, ...] = (200, 201, 202),
        **kwargs: object,
    ) -> dict:
        headers = {
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            **kwargs.pop("headers", {}),
        }  # type: ignore[dict-item]
        response = self.http.request(method, url, headers=headers, **kwargs)
        if response.status_code not in ((expect,) if isinstance(expect, int) else expect):
            raise ApiFailure(response)
        return response.json() if response.content else {}

    def register(self, phone: str, password: str, code: str = "000000") -> str:
        self.call("POST", f"{self.urls.identity}/v1/sms-codes", json={"phone": phone})
        account = self.call(
            "POST",
            f"{self.urls.identity}/v1/accounts",
            json={"phone": phone, "password": password, "sms_code": code},
        )
        self.sign_in(phone, password)
        return account["account_id"]

    def sign_in(self, login: str, password: str) -> None:
        session = self.call(
            "POST",
            f"{self.urls.identity}/v1/sessions",
            json={"method": "password", "login": login, "password": password},
        )
        self.token = session["access_token"]

    def bind_email(self, email: str, code: str = "000000", language: str = "zh-CN") -> None:
        self.call("POST", f"{self.urls.identity}/v1/me/email/verification", json={"email": email})
        self.call(
            "PUT",
            f"{self.urls.identity}/v1/me/email",
            json={"email": email, "code": code, "language": language},
        )

    def upload(self, service_url: str, content: bytes, name: str = "doc.png") -> str:
        return self.call("POST", f"{service_url}/v1/files", files={"file": (name, content)})[
            "blob_id"
        ]

    def submit_identity(self, name: str = "张三", id_number: str = VALID_ID) -> str:
        front = self.upload(self.urls.identity, PNG + b"front")
        back = self.upload(self.urls.identity, PNG + b"back")
        body = {
            "role": "holder",
            "holder": {
                "kind": "individual",
                "name": name,
                "id_number": id_number,
                "id_card_front": front,
                "id_card_back": back,
            },
        }
        return self.call("POST", f"{self.urls.identity}/v1/identities", json=body)["identity_id"]

    def register_trademark(
        self, identity_id: str, title: str = "快手好物", valid_until: str = "2034-12-31"
    ) -> str:
        return self.register_right(self.trademark_body(identity_id, title, valid_until))

    def trademark_body(
        self, identity_id: str, title: str = "快手好物", valid_until: str = "2034-12-31"
    ) -> dict:
        """A complete trademark of 张三: certificate, mark image, Nice classes 25 and 35
        with their goods."""
        certificate = self.upload(self.urls.rights, PDF + title.encode(), "certificate.pdf")
        mark = self.upload(self.urls.rights, PNG + b"mark" + title.encode(), "mark.png")
        details = {
            "registrant": "张三",
            "nice_classes": [25, 35],
            "designated_goods": {"25": ["服装", "鞋"], "35": ["广告", "替他人推销"]},
        }
        return {
            "identity_id": identity_id,
            "right_type": "trademark",
            "title": title,
            "registration_number": "12345678",
            "holder_name": "张三",
            "valid_from": "2020-01-01",
            "valid_until": valid_until,
            "details": details,
            "documents": [
                {"blob_id": certificate, "purpose": "registration_certificate"},
                {"blob_id": mark, "purpose": "mark_image"},
            ],
        }

    def register_right(self, body: dict) -> str:
        return self.call("POST", f"{self.urls.rights}/v1/rights", json=body)["right_id"]

    def right(self, right_id: str) -> dict:
        return self.call("GET", f"{self.urls.rights}/v1/rights/{right_id}")

    def amend_right(self, right_id: str, body: dict) -> dict:
        return self.call("PUT", f"{self.urls.rights}/v1/rights/{right_id}", json=body)

    def wait_for_right(
        self, right_id: str, statuses: tuple[str, ...], timeout: float = 60.0
    ) -> dict:
        """The right once its status is one of `statuses` (or as it is when the time is up)."""
        deadline = time.monotonic() + timeout
        while True:
            right = self.right(right_id)
            if right["status"] in statuses or time.monotonic() > deadline:
                return right
            time.sleep(0.2)

    def review_tasks(self, service_url: str) -> list[dict]:
        """A reviewer's pending tasks at one service (identity, rights, complaints)."""
        return self.call("GET", f"{service_url}/v1/reviews", params={"status": "pending"})

    def decide_review(
        self, service_url: str, review_id: str, outcome: str, reasons: list[dict] | None = None
    ) -> dict:
        return self.call(
            "POST",
            f"{service_url}/v1/reviews/{review_id}/decision",
            json={"outcome": outcome, "reasons": reasons or []},
        )

    def file_complaint(
        self, right_id: str, urls: list[str], infringement_type: str = "counterfeit_goods"
    ) -> str:
        evidence = self.upload(self.urls.complaints, PNG + b"evidence")
        body = {
            "right_id": right_id,
            "infringement_type": infringement_type,
            "targets": [{"url": u} for u in urls],
            "description": "这些商品假冒我们的注册商标，请下架。",
            "evidence": [evidence],
        }
        return self.call("POST", f"{self.urls.complaints}/v1/complaints", json=body)["complaint_id"]

    def complaint(self, complaint_id: str) -> dict:
        return self.call("GET", f"{self.urls.complaints}/v1/complaints/{complaint_id}")

    def wait_for_verdict(self, complaint_id: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            complaint = self.complaint(complaint_id)
            if (
                complaint["status"] in ("upheld", "rejected", "withdrawn")
                or time.monotonic() > deadline
            ):
                return complaint
            time.sleep(0.1)

    def file_complaint_csv(
        self, right_id: str, targets_csv: bytes, infringement_type: str = "counterfeit_goods"
    ) -> str:
        """File a complaint whose targets are an uploaded CSV file (a column `url`)."""
        evidence = self.upload(self.urls.complaints, PNG + b"evidence")
        form = {
            "right_id": right_id,
            "infringement_type": infringement_type,
            "description": "这些商品假冒我们的注册商标，请下架。",
            "evidence": [evidence],
        }
        return self.call(
            "POST",
            f"{self.urls.complaints}/v1/complaints",
            data=form,
            files={"targets_csv": ("targets.csv", targets_csv, "text/csv")},
        )["complaint_id"]

    def wait_for_review_task(
        self, service_url: str, complaint_id: str, timeout: float = 60.0
    ) -> dict:
        """The pending task of a service's queue that this complaint waits on, once it is there."""
        deadline = time.monotonic() + timeout
        while True:
            tasks = [
                t for t in self.review_tasks(service_url) if complaint_id in t["complaint_ids"]
            ]
            if tasks:
                return tasks[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no review task for complaint {complaint_id} at {service_url}")
            time.sleep(0.1)
