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


@pytest.fixture
def make_session():
    counter = {"n": 0}

    def factory(host_unit, status: str = "live", title: str | None = None) -> DialogueSession:
        counter["n"] += 1
        start = now() - timedelta(hours=2)
        session = DialogueSession(
            title=title or f"Đối thoại về công tác kiểm tra, giám sát {counter['n']}",
            topic="Công tác kiểm tra, giám sát",
            term="2020–2025",
            venue="Hội trường Huyện ủy",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            questions_close_at=start - timedelta(days=1),
            host_unit_id=host_unit.id,
            status=status,
        )
        db.session.add(session)
        db.session.commit()
        return session

    return factory


@pytest.fixture
def make_question():
    def factory(session, author, status: str = "accepted", body: str | None = None) -> Question:
        question = Question(
            session_id=session.id,
            author_id=author.id,
            kind="recommendation",
            topic="Kiểm tra đảng viên",
            body=body or "Đề nghị hướng dẫn quy trình kiểm tra đảng viên khi có dấu hiệu vi phạm.",
            status=status,
            reason="Nội dung chưa rõ." if status == "returned" else None,
        )
        db.session.add(question)
        db.session.commit()
        return question

    return factory


@pytest.fixture
def make_response():
    def factory(session, questions, responder, kind: str = "taken_on_board", text: str | None = None) -> Response:
        response = Response(
            session_id=session.id,
            kind=kind,
            text=text or "Tiếp thu; giao Đảng ủy xã rà soát và báo cáo.",
            responder_id=responder.id,
            created_by_id=responder.id,
        )
        response.questions = list(questions)
        for q in questions:
            q.status = "answered"
        db.session.add(response)
        db.session.commit()
        return response

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
