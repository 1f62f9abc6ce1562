"""Fixtures of the live session's tests: a session that is live, with invitees and accepted questions."""

from __future__ import annotations

from datetime import timedelta

from dialogue.core.timeutil import now
from dialogue.extensions import db
from dialogue.questions.models import Question
from dialogue.sessions import services as sessions


def make_session(tree, *, status: str = "live", turn_seconds: int = 180, units=None):
    """A session hosted by the district, inviting the cells beneath ``units`` (both communes by default)."""
    start = now() + timedelta(days=2)
    session = sessions.create_session(
        tree.organizer,
        title="Đối thoại về công tác kiểm tra, giám sát",
        topic="Công tác kiểm tra, giám sát",
        term="2020–2025",
        venue="Hội trường Huyện ủy",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        questions_close_at=start - timedelta(days=1),
        turn_seconds=turn_seconds,
        host_unit_id=tree.district.id,
        invited_unit_ids=[u.id for u in (units or tree.communes)],
        host_ids=[tree.host.id],
    )
    for step in {
        "draft": [],
        "open": ["open"],
        "closed": ["open", "closed"],
        "live": ["open", "live"],
        "ended": ["open", "live", "ended"],
    }[status]:
        sessions.change_status(tree.organizer, session, step)
    return session


def make_question(session, author, topic="Khó khăn trong kiểm tra", status="accepted", position=None) -> Question:
    q = Question(
        session_id=session.id,
        author_id=author.id,
        kind="recommendation",
        topic=topic,
        body="Đề nghị hướng dẫn cụ thể về quy trình kiểm tra khi có dấu hiệu vi phạm.",
        status=status,
        position=position,
    )
    db.session.add(q)
    db.session.commit()
    return q
