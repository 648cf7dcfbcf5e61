"""Rights across five processes: a rejected right amended and then approved, an expired right
refused at filing, an approved right reused by later complaints."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from deploy.client import ApiFailure, Client
from deploy.stack import REPO
from tests.e2e.people import listing, new_holder
from tests.e2e.records import decisions_for, wait_for_records

REVIEWS = "ipp.review-decided.v1"


def new_reviewer(platform) -> Client:
    """A reviewer account made the operator's way (`python -m services.cli reviewer
    create`), signed in."""
    phone, password = f"137{time.time_ns() % 10**8:08d}", "reviewer password"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "reviewer",
            "create",
            "--phone",
            phone,
            "--password",
            password,
        ],
        env={**os.environ, **platform.env},
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=60,
    )
    reviewer = platform.client()
    reviewer.sign_in(phone, password)
    return reviewer


def task_for(
    reviewer: Client, service_url: str, complaint_id: str, timeout: float = 60.0
) -> dict | None:
    """The pending review task at a service that this complaint waits on (None when none comes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = [
            t for t in reviewer.review_tasks(service_url) if complaint_id in t["complaint_ids"]
        ]
        if tasks:
            return tasks[0]
        time.sleep(0.3)
    return None


def file_when_usable(client: Client, right_id: str, urls: list[str], timeout: float = 30.0) -> str:
    """File once the complaints service has heard that the right is no longer rejected."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.file_complaint(right_id, urls)
        except ApiFailure as failure:
            if failure.code != "RIGHT_NOT_USABLE" or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def right_decision(platform, complaint_id: str) -> dict:
    done = lambda records: any(  # noqa: E731
        d["data"]["material_type"] == "right" for d in decisions_for(records, complaint_id)
    )
    records = wait_for_records(platform.kafka, [REVIEWS], done)
    return next(
        d["data"]
        for d in decisions_for(records, complaint_id)
        if d["data"]["material_type"] == "right"
    )


def test_a_rejected_right_is_amended_and_then_backs_an_upheld_complaint(manual_platform):
    reviewer = new_reviewer(manual_platform)
    holder = new_holder(manual_platform.client())
    rights, identity = holder.client.urls.rights, holder.client.urls.identity
    first = holder.client.file_complaint(holder.right_id, [listing(101)])
    task = task_for(reviewer, rights, first)
    assert (
        task is not None
        and task["material_id"] == holder.right_id
        and task["material_revision"] == 1
    )
    reasons = [{"code": "CERTIFICATE_ILLEGIBLE", "message": "注册证扫描件无法辨认，请重新上传。"}]
    reviewer.decide_review(rights, task["review_id"], "rejected", reasons)
    rejected = holder.client.wait_for_right(holder.right_id, ("rejected",))
    assert (
        rejected["status"] == "rejected"
        and rejected["reasons"] == reasons
        and not rejected["locked"]
    )

    amended = holder.client.amend_right(
        holder.right_id, holder.client.trademark_body(holder.identity_id)
    )
    assert (amended["status"], amended["revision"]) == ("submitted", 2)
    second = file_when_usable(holder.client, holder.right_id, [listing(102)])
    for service_url in (identity, rights):
        task = task_for(reviewer, service_url, second)
        assert task is not None, f"no task at {service_url} for the second complaint"
        reviewer.decide_review(service_url, task["review_id"], "approved")
    decision = right_decision(manual_platform, second)
    assert (decision["outcome"], decision["material_revision"]) == ("approved", 2)
    right = holder.client.wait_for_right(holder.right_id, ("approved",))
    assert [s["step"] for s in right["history"]][:4] == [
        "Registered",
        "ReviewStarted",
        "Reviewed",
        "Amended",
    ]

    complaint_task = task_for(reviewer, holder.client.urls.complaints, second)
    assert complaint_task is not None, "the complaints service put no task before its reviewers"
    reviewer.decide_review(holder.client.urls.complaints, complaint_task["review_id"], "approved")
    assert holder.client.wait_for_verdict(second)["status"] == "upheld"


def test_an_expired_right_cannot_back_a_new_complaint(platform):
    holder = new_holder(platform.client())
    ended = holder.client.register_trademark(
        holder.identity_id, title="过期商标", valid_until="2025-06-30"
    )
    try:
        holder.client.file_complaint(ended, [listing(201)])
        raise AssertionError("an expired right backed a complaint")
    except ApiFailure as refused:
        assert (refused.response.status_code, refused.code) == (409, "RIGHT_NOT_USABLE")
        assert refused.response.json()["error"]["details"]["reason"] == "expired"


def test_an_approved_right_backs_several_complaints_with_its_approval_reused(platform):
    holder = new_holder(platform.client())
    first = holder.client.file_complaint(holder.right_id, [listing(301)])
    assert holder.client.wait_for_verdict(first)["status"] == "upheld"
    approval = right_decision(platform, first)
    assert approval["outcome"] == "approved" and approval["reused_decision_id"] is None

    later = [holder.client.file_complaint(holder.right_id, [listing(302 + n)]) for n in range(2)]
    for complaint_id in later:
        assert holder.client.wait_for_verdict(complaint_id)["status"] == "upheld"
        reused = right_decision(platform, complaint_id)
        assert (
            reused["outcome"] == "approved"
            and reused["reused_decision_id"] == approval["review_id"]
        )
        assert reused["decided_by"]["kind"] == "auto"
    right = holder.client.right(holder.right_id)
    assert right["status"] == "approved" and [s["step"] for s in right["history"]] == [
        "Registered",
        "Reviewed",
    ]
