"""Helpers for the follow-up tests: sessions, questions and responses made directly from the models, and a fast
bulk insert of commitments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from dialogue.core.timeutil import now, today_local
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.questions.models import Question
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession
from tests import factories


@pytest.fixture
def make_session():
    def factory(host_unit, status: str = "live", title: str | None = None) -> DialogueSession:
        return factories.model_session(host_unit, status=status, title=title)

    return factory


@pytest.fixture
def make_question():
    def factory(session, author, status: str = "accepted", body: str | None = None) -> Question:
        return factories.make_question(
            session,
            author,
            status=status,
            topic="Kiểm tra đảng viên",
            body=body or "Đề nghị hướng dẫn quy trình kiểm tra đảng viên khi có dấu hiệu vi phạm.",
        )

    return factory


@pytest.fixture
def make_response():
    def factory(session, questions, responder, kind: str = "taken_on_board", text: str | None = None) -> Response:
        return factories.make_response(session, questions, responder, kind=kind, text=text)

    return factory


def bulk_commitments(n: int, unit_ids: list[int], session_ids: list[int | None], creator_id: int | None) -> None:
    """Inserts ``n`` commitments directly (one executemany), across the given units and sessions and all states."""
    today = today_local()
    statuses = ["assigned", "in_progress", "done", "verified", "cancelled"]
    stamp = now()
    rows = []
    for i in range(n):
        status = statuses[i % len(statuses)]
        due = today + timedelta(days=(i % 90) - 45)
        rows.append(
            {
                "session_id": session_ids[i % len(session_ids)],
                "description": f"Nhiệm vụ số {i}: rà soát hồ sơ kiểm tra",
                "unit_id": unit_ids[i % len(unit_ids)],
                "due_date": due,
                "original_due_date": due,
                "priority": "normal",
                "status": status,
                "progress": 100 if status in ("done", "verified") else 0,
                "cancel_reason": "Không còn cần thiết" if status == "cancelled" else None,
                "result_report": "Đã xong" if status in ("done", "verified") else None,
                "done_at": stamp if status in ("done", "verified") else None,
                "verified_at": stamp if status == "verified" else None,
                "created_by_id": creator_id,
                "created_at": stamp,
                "search_text": f"nhiem vu so {i}",
            }
        )
    for start in range(0, n, 5000):
        db.session.execute(insert(Commitment), rows[start : start + 5000])
    db.session.commit()


def due_in(days: int) -> date:
    return today_local() + timedelta(days=days)
