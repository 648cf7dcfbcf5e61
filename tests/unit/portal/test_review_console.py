"""The reviewer console's page, rendered from what the reviewer APIs answer: a long queue comes in
pages, each task with its deadline, its material's facts and a preview of every document."""

from __future__ import annotations

from types import SimpleNamespace

from services.portal.domain import i18n
from services.portal.entrypoints.reviews import PAGE
from services.portal.entrypoints.web import templates

BLOB = "ab" * 32


def task(n: int) -> dict:
    return {
        "review_id": f"00000000-0000-0000-0000-{n:012d}",
        "material_type": "right",
        "material_id": f"right-{n}",
        "material_revision": 1,
        "complaint_ids": ["c"],
        "checks": [],
        "created_at": "2026-11-28T08:00:00+00:00",
        "deadline_at": "2026-11-30T08:00:00Z",
        "overdue": n == 0,
        "claimed_by": None,
        "age": 5,
        "age_text": "5 分钟",
        "details": {
            "right_type": "trademark",
            "title": f"商标 {n}",
            "registration_number": "12345678",
            "holder_name": "王五",
            "valid_from": "2020-01-01",
            "valid_until": None,
            "revision": 1,
            "details": {"nice_classes": [25, 35], "designated_goods": {"25": ["服装", "鞋"]}},
            "files": [
                {"blob_id": BLOB, "purpose": "mark_image", "media_type": "image/png", "size": 173},
                {
                    "blob_id": "cd" * 32,
                    "purpose": "registration_certificate",
                    "media_type": "application/pdf",
                    "size": 591,
                },
            ],
        },
    }


def console(offset: int, total: int) -> str:
    shown = [task(n) for n in range(offset, min(offset + PAGE, total))]
    queues = {
        "right": {
            "tasks": shown,
            "available": True,
            "codes": [],
            "total": total,
            "offset": offset,
            "page": PAGE,
        }
    }
    request = SimpleNamespace(url=SimpleNamespace(path="/reviews"), cookies={}, query_params={})
    return templates.get_template("reviews.html").render(
        request=request,
        lang="zh-CN",
        t=lambda key, **kw: i18n.t("zh-CN", key, **kw),
        csrf="x",
        signed_in=True,
        reviewer=True,
        errors={},
        values={},
        queues=queues,
    )


def test_a_long_queue_shows_one_page_and_links_to_the_next():
    first = console(0, 45)
    assert "第 1–20 条，共 45 条" in first and 'href="/reviews?right=20#queue-right"' in first
    assert "上一页" not in first
    last = console(40, 45)
    assert "第 41–45 条，共 45 条" in last and 'href="/reviews?right=20#queue-right"' in last
    assert "下一页" not in last
    assert "queue-pages" not in console(0, 3)


def test_each_task_shows_its_deadline_facts_and_previews():
    page = console(0, 1)
    assert 'datetime="2026-11-30T08:00:00Z"' in page and 'data-overdue="true"' in page
    assert "商标 0" in page and "25: 服装, 鞋" in page and "尼斯分类" in page
    href = f"/reviews/right/00000000-0000-0000-0000-000000000000/documents/{BLOB}"
    assert f'<img src="{href}"' in page
    pdf = f"/reviews/right/00000000-0000-0000-0000-000000000000/documents/{'cd' * 32}"
    assert (
        f'<iframe src="{pdf}"' in page
    )  # a PDF in a same-origin frame (the CSP allows no <object>)
