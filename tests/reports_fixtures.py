"""Fixtures of the reports' tests: the article's demo session, and small sessions built straight on the models."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from dialogue.core.text import search_blob
from dialogue.core.timeutil import now
from dialogue.demo.seed import seed_accounts, seed_tree
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.reports.demo import TITLE, seed_article_session
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession, Invitation, SessionHost


@pytest.fixture
def demo_session() -> DialogueSession:
    seed_tree()
    seed_accounts()
    seed_article_session()
    return db.session.scalar(select(DialogueSession).where(DialogueSession.title == TITLE))


def docx_text(data: bytes) -> str:
    """All text of a Word document: paragraphs, then every table cell (rows joined by " | ")."""
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def make_session(tree, *, title: str, days_ago: int = 10, invite: int = 4, present: int = 3, status: str = "ended"):
    """A finished session on the models: invitations of the tree's secretaries, one question, one finished
    turn of 200 s, one response, two commitments (one done on time, one open and overdue)."""
    start = now() - timedelta(days=days_ago)
    session = DialogueSession(
        title=title,
        topic="Công tác kiểm tra, giám sát",
        term="2020–2025",
        venue="Hội trường",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        questions_close_at=start - timedelta(days=1),
        turn_seconds=300,
        host_unit_id=tree.district.id,
        status=status,
        search_text=search_blob(title, "Công tác kiểm tra, giám sát"),
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionHost(session_id=session.id, user_id=tree.host.id))
    for i, person in enumerate(tree.secretaries[:invite]):
        db.session.add(
            Invitation(
                session_id=session.id,
                user_id=person.id,
                unit_id=person.unit_id,
                rsvp="accepted",
                checked_in_at=start if i < present else None,
            )
        )
    author = tree.secretaries[0]
    q = Question(
        session_id=session.id,
        author_id=author.id,
        unit_id=author.unit_id,
        kind="recommendation",
        topic="Hồ sơ kiểm tra",
        body="Đề nghị rút gọn biểu mẫu kiểm tra.",
        status="answered",
        search_text=search_blob("Hồ sơ kiểm tra", "Đề nghị rút gọn biểu mẫu kiểm tra."),
    )
    db.session.add(q)
    db.session.flush()
    speaker = Speaker(
        session_id=session.id,
        user_id=author.id,
        question_id=q.id,
        status="finished",
        seconds_allowed=300,
        begin_time=start + timedelta(minutes=10),
        end_time=start + timedelta(minutes=10, seconds=230),
        total_pause_seconds=30,
        summary="Tóm tắt ban đầu.",
    )
    db.session.add(speaker)
    db.session.flush()
    response = Response(
        session_id=session.id,
        speaker_id=speaker.id,
        kind="taken_on_board",
        text="Tiếp thu, sẽ rút gọn biểu mẫu.",
        responder_id=tree.host.id,
        search_text=search_blob("Tiếp thu, sẽ rút gọn biểu mẫu."),
    )
    response.questions.append(q)
    db.session.add(response)
    db.session.flush()
    today = start.date()
    db.session.add_all(
        [
            Commitment(
                session_id=session.id,
                response_id=response.id,
                description="Rút gọn bộ biểu mẫu kiểm tra của chi bộ.",
                unit_id=tree.communes[0].id,
                due_date=today + timedelta(days=5),
                original_due_date=today + timedelta(days=5),
                status="done",
                done_at=start + timedelta(days=3),
                result_report="Đã ban hành bộ biểu mẫu rút gọn.",
                search_text=search_blob("Rút gọn bộ biểu mẫu kiểm tra của chi bộ."),
            ),
            Commitment(
                session_id=session.id,
                description="Tập huấn nghiệp vụ kiểm tra cho chi ủy viên.",
                unit_id=tree.communes[1].id,
                due_date=date.today() - timedelta(days=1),
                original_due_date=date.today() - timedelta(days=1),
                status="assigned",
                search_text=search_blob("Tập huấn nghiệp vụ kiểm tra cho chi ủy viên."),
            ),
        ]
    )
    db.session.commit()
    return session
