"""The one place tests build sessions, submissions, responses, turns and commitments.

Two kinds of builder:
- through the services (``schedule``): the session goes through its real states, audited, with its invitations;
- straight on the models (``model_session``, ``make_question``, ``make_response``, ``make_speaker``,
  ``make_commitment``): a row in a given state, for tests about what comes after.

Every builder commits: the test is the boundary of the work it sets up, and later requests (test client, live
server, another thread) must see it. ``act(fn, ...)`` runs one service call as its own unit of work, the way a
request or a CLI command would: committed when it succeeds, rolled back (and re-raised) when it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from dialogue.core.text import search_blob
from dialogue.core.timeutil import now, today_local
from dialogue.core.uow import transaction
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.responses.models import Response
from dialogue.sessions import services as sessions
from dialogue.sessions.models import DialogueSession

T = TypeVar("T")

TITLE = "Đối thoại về công tác kiểm tra, giám sát"
TOPIC = "Công tác kiểm tra, giám sát"
BODY = "Đề nghị hướng dẫn cụ thể về quy trình kiểm tra khi có dấu hiệu vi phạm."

# The path a session takes to reach each state through the services.
STATE_PATHS = {
    "draft": [],
    "open": ["open"],
    "closed": ["open", "closed"],
    "live": ["open", "live"],
    "ended": ["open", "live", "ended"],
}


def act(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """One service call as its own unit of work: committed if it succeeds, rolled back and re-raised if not."""
    with transaction():
        return fn(*args, **kwargs)


def saved(obj: T) -> T:
    db.session.add(obj)
    db.session.commit()
    return obj


def schedule(
    tree,
    *,
    status: str = "open",
    units=None,
    close_in: timedelta = timedelta(days=3),
    starts_in: timedelta | None = None,
    turn_seconds: int = 300,
    **overrides: Any,
) -> DialogueSession:
    """A session hosted by the district through the services, inviting the cells beneath ``units`` (default:
    the first commune), moved through its real states up to ``status``."""
    start = now() + (starts_in if starts_in is not None else close_in + timedelta(days=2))
    values: dict[str, Any] = dict(
        title=TITLE,
        topic=TOPIC,
        term="2020–2025",
        venue="Hội trường Huyện ủy",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        questions_close_at=min(now() + close_in, start - timedelta(minutes=1)),
        turn_seconds=turn_seconds,
        host_unit_id=tree.district.id,
        invited_unit_ids=[u.id for u in (units if units is not None else [tree.communes[0]])],
        host_ids=[tree.host.id],
    )
    values.update(overrides)
    session = act(sessions.create_session, tree.organizer, **values)
    for step in STATE_PATHS[status]:
        act(sessions.change_status, tree.organizer, session, step)
    return session


def model_session(
    host_unit,
    *,
    status: str = "live",
    title: str | None = None,
    starts_at: datetime | None = None,
    hours: int = 3,
    **values: Any,
) -> DialogueSession:
    """A session row in ``status``, without invitations (the follow-up and report tests add what they need)."""
    start = starts_at or now() - timedelta(hours=2)
    title = title or TITLE
    return saved(
        DialogueSession(
            title=title,
            topic=TOPIC,
            term="2020–2025",
            venue="Hội trường Huyện ủy",
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            questions_close_at=start - timedelta(days=1),
            host_unit_id=host_unit.id,
            status=status,
            search_text=search_blob(title, TOPIC),
            **values,
        )
    )


def make_question(
    session,
    author,
    *,
    status: str = "accepted",
    topic: str = "Khó khăn trong kiểm tra",
    body: str = BODY,
    kind: str = "recommendation",
    position: int | None = None,
    **values: Any,
) -> Question:
    if status == "returned":
        values.setdefault("reason", "Nội dung chưa rõ.")
    return saved(
        Question(
            session_id=session.id,
            author_id=author.id,
            unit_id=author.unit_id,
            kind=kind,
            topic=topic,
            body=body,
            status=status,
            position=position,
            search_text=search_blob(topic, body),
            **values,
        )
    )


def make_response(
    session, questions: Iterable[Question], responder, *, kind: str = "taken_on_board", text: str | None = None
) -> Response:
    questions = list(questions)
    response = Response(
        session_id=session.id,
        kind=kind,
        text=text or "Tiếp thu; giao Đảng ủy xã rà soát và báo cáo.",
        responder_id=responder.id,
        created_by_id=responder.id,
    )
    response.questions = questions
    for q in questions:
        q.status = "answered"
    return saved(response)


def make_speaker(session, user, *, status: str = "finished", seconds: int = 200, question=None, weight: int = 0):
    """A turn: finished (begun ``seconds`` plus a minute ago), speaking (begun ``seconds`` ago) or waiting."""
    at = now()
    begin = {"finished": at - timedelta(seconds=seconds + 60), "speaking": at - timedelta(seconds=seconds)}.get(status)
    return saved(
        Speaker(
            session_id=session.id,
            user_id=user.id,
            question_id=question.id if question is not None else None,
            status=status,
            weight=weight,
            seconds_allowed=session.turn_seconds or 300,
            begin_time=begin,
            end_time=begin + timedelta(seconds=seconds) if status == "finished" else None,
            total_pause_seconds=0,
        )
    )


def make_commitment(
    unit,
    *,
    session=None,
    question=None,
    response=None,
    status: str = "assigned",
    due: date | None = None,
    description: str = "Rà soát hồ sơ kiểm tra của chi bộ",
    **values: Any,
) -> Commitment:
    due = due or today_local() + timedelta(days=30)
    done = status in ("done", "verified")
    stamp = now()
    return saved(
        Commitment(
            session_id=session.id if session is not None else None,
            question_id=question.id if question is not None else None,
            response_id=response.id if response is not None else None,
            description=description,
            unit_id=unit.id,
            due_date=due,
            original_due_date=due,
            priority="normal",
            status=status,
            progress=100 if done else 0,
            cancel_reason="Không còn cần thiết" if status == "cancelled" else None,
            result_report="Đã xong" if done else None,
            done_at=stamp if done else None,
            verified_at=stamp if status == "verified" else None,
            search_text=search_blob(description),
            **values,
        )
    )
