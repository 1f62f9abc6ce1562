"""Fixtures of the reports' tests: the article's demo session, and small sessions built straight on the models."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from dialogue.accounts.models import User
from dialogue.core.text import search_blob
from dialogue.core.timeutil import local_to_utc, now
from dialogue.demo.seed import DISTRICT, demo_user, seed_accounts, seed_tree
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.reports.demo import TITLE, seed_article_session
from dialogue.reports.models import DocumentDraft
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession, Invitation, SessionHost, SessionInvitedUnit
from dialogue.units.models import Unit


@pytest.fixture
def demo_session() -> DialogueSession:
    seed_tree()
    seed_accounts()
    seed_article_session()
    db.session.commit()  # the test is the boundary: the requests that follow must see the session
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


BIG_TITLE = "Thường trực Huyện ủy đối thoại với bí thư chi bộ về công tác kiểm tra, giám sát"
BIG_TURNS, BIG_SUBMISSIONS, BIG_COMMITMENTS, BIG_WRITTEN = 50, 200, 40, 20
BIG_NOT_CHECKED_IN = 50  # of whom two spoke and one answered: they were there


@pytest.fixture
def big_session() -> DialogueSession:
    """A big session on the demo district: 200 invitees (150 checked in; two who spoke and one who answered
    without checking in), 200 submissions, 50 turns, 40 commitments, 20 written answers after the session. It was
    scheduled for a day and held two days earlier (the live clock says so), and its title is the form's example
    ("Thường trực Huyện ủy …")."""
    seed_tree()
    seed_accounts()
    district = db.session.scalar(select(Unit).where(Unit.name == DISTRICT))
    host, clerk = demo_user("bithu@demo.vn"), demo_user("vanphong@demo.vn")
    communes = list(db.session.scalars(select(Unit).where(Unit.parent_id == district.id).order_by(Unit.name)))
    secretaries = list(
        db.session.scalars(
            select(User).where(User.position == "Bí thư chi bộ").order_by(User.unit_id, User.id)
        ).unique()
    )[:200]
    scheduled = local_to_utc(datetime(2026, 3, 12, 14, 0))
    opened = local_to_utc(datetime(2026, 3, 10, 8, 5))
    session = DialogueSession(
        title=BIG_TITLE,
        topic="Công tác kiểm tra, giám sát",
        term="2020-2025",
        venue="Hội trường Huyện ủy Châu Thành",
        starts_at=scheduled,
        ends_at=scheduled + timedelta(hours=4),
        questions_close_at=scheduled - timedelta(days=3),
        turn_seconds=300,
        host_unit_id=district.id,
        status="ended",
        opened_at=opened,
        closed_at=opened + timedelta(hours=5, minutes=15),
        search_text=search_blob(BIG_TITLE),
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionHost(session_id=session.id, user_id=host.id))
    for commune in communes:
        db.session.add(SessionInvitedUnit(session_id=session.id, unit_id=commune.id))
    not_checked_in = set(range(200 - BIG_NOT_CHECKED_IN, 200))
    for i, person in enumerate(secretaries):
        db.session.add(
            Invitation(
                session_id=session.id,
                user_id=person.id,
                unit_id=person.unit_id,
                rsvp="declined" if i in (199, 198) else "accepted",
                checked_in_at=None if i in not_checked_in else opened - timedelta(minutes=30) + timedelta(seconds=i),
            )
        )
    questions = []
    for i in range(BIG_SUBMISSIONS):
        author = secretaries[i]
        q = Question(
            session_id=session.id,
            author_id=author.id,
            unit_id=author.unit_id,
            kind=("question", "opinion", "recommendation", "proposal")[i % 4],
            topic=f"Chủ đề số {i % 12 + 1}",
            body=f"Nội dung ý kiến số {i + 1} về công tác kiểm tra, giám sát ở chi bộ.",
            status="answered" if i < BIG_TURNS + BIG_WRITTEN else "accepted",
            search_text="",
            created_at=scheduled - timedelta(days=5),
        )
        db.session.add(q)
        questions.append(q)
    db.session.flush()
    # Turns: the first 48 by secretaries who checked in; the last two by secretaries who did not.
    speakers_idx = [*range(BIG_TURNS - 2), 199, 198]
    responses = []
    for n, i in enumerate(speakers_idx):
        begin = opened + timedelta(minutes=15 + 6 * n)
        speaker = Speaker(
            session_id=session.id,
            user_id=secretaries[i].id,
            question_id=questions[n].id,
            status="finished",
            seconds_allowed=300,
            begin_time=begin,
            end_time=begin + timedelta(seconds=200 + n),
            total_pause_seconds=0,
            summary=f"Tóm tắt lượt {n + 1}.",
        )
        db.session.add(speaker)
        db.session.flush()
        responder = secretaries[197] if n == 0 else host  # a commune's secretary answers the first turn
        r = Response(
            session_id=session.id,
            speaker_id=speaker.id,
            kind="taken_on_board" if n % 2 else "answered",
            text=f"Trả lời lượt {n + 1}: sẽ chỉ đạo thực hiện.",
            responder_id=responder.id,
            search_text="",
            created_at=begin + timedelta(minutes=5),
        )
        r.questions.append(questions[n])
        db.session.add(r)
        responses.append(r)
    for k in range(BIG_WRITTEN):
        q = questions[BIG_TURNS + k]
        r = Response(
            session_id=session.id,
            kind="written",
            text=f"Trả lời bằng văn bản cho ý kiến số {BIG_TURNS + k + 1}.",
            responder_id=host.id,
            search_text="",
            created_at=opened + timedelta(days=7 + k),
        )
        r.questions.append(q)
        db.session.add(r)
    db.session.flush()
    for c in range(BIG_COMMITMENTS):
        due = date(2026, 6, 1) + timedelta(days=c)
        db.session.add(
            Commitment(
                session_id=session.id,
                response_id=responses[c].id,
                description=f"Nhiệm vụ số {c + 1}: thực hiện kiến nghị của chi bộ.",
                unit_id=communes[c % len(communes)].id,
                due_date=due,
                original_due_date=due,
                status="assigned",
                search_text="",
            )
        )
    for kind, fields in (
        (
            "minutes",
            {"opening": "Khai mạc buổi đối thoại.", "closing": "Bế mạc.", "clerk": clerk.name},
        ),
        ("conclusion", {"conclusions": "Kết luận của đồng chí Bí thư Huyện ủy."}),
    ):
        db.session.add(DocumentDraft(session_id=session.id, kind=kind, fields=fields, revision=1))
    db.session.commit()
    return session
