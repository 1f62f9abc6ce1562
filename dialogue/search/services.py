"""Search across sessions: folded LIKE on the ``search_text`` columns, so "kiem tra" finds "KIỂM TRA"
and "d" finds "đ". A fixed number of queries whatever the number of hits (a page of each kind, and its total)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.errors import Invalid
from ..core.labels import label
from ..core.pagination import count_of
from ..core.text import fold, like_pattern
from ..extensions import db
from ..followups.models import Commitment
from ..questions.models import Question
from ..responses.models import Response
from ..sessions.models import DialogueSession

MIN_LENGTH = 2
PER_KIND = 25


@dataclass
class Hit:
    title: str
    snippet: str
    url: str | None
    meta: str = ""


@dataclass
class Results:
    query: str
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def link(endpoint: str, anchor: str = "", **values) -> str | None:
    """The page of a result, if that page exists in this installation (areas can be switched off)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values) + anchor


def snippet(text: str | None, query: str, width: int = 160) -> str:
    """The part of ``text`` around the first match (matched on the folded forms), shortened to ``width``."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    position = fold(text).find(fold(query))  # folding keeps lengths for NFC Vietnamese letters
    start = max(0, position - width // 3) if position >= 0 else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(query: str) -> Results:
    query = (query or "").strip()
    if len(fold(query)) < MIN_LENGTH:
        raise Invalid(_l("Xin gõ ít nhất %(n)s ký tự để tìm.", n=MIN_LENGTH), fields={"q": [str(_l("Quá ngắn."))]})
    pattern = like_pattern(query)
    results = Results(query=query)

    def newest_matching(key: str, model, newest) -> list:
        """The first ``PER_KIND`` rows whose folded text matches, newest first; their total goes in the results."""
        stmt = (
            select(model).where(model.search_text.like(pattern, escape="\\")).order_by(newest.desc(), model.id.desc())
        )
        results.totals[key] = count_of(stmt)
        return list(db.session.scalars(stmt.limit(PER_KIND)).unique())

    results.groups["sessions"] = [
        Hit(
            s.title,
            snippet(f"{s.topic} · {s.venue}", query),
            link("sessions.detail", session_id=s.id),
            label("session_status", s.status),
        )
        for s in newest_matching("sessions", DialogueSession, DialogueSession.starts_at)
    ]

    titles = {}

    def session_titles(ids: set[int]) -> dict[int, str]:
        missing = {i for i in ids if i is not None and i not in titles}
        if missing:
            titles.update(
                db.session.execute(
                    select(DialogueSession.id, DialogueSession.title).where(DialogueSession.id.in_(missing))
                ).all()
            )
        return titles

    questions = newest_matching("questions", Question, Question.created_at)
    responses = newest_matching("responses", Response, Response.created_at)
    commitments = newest_matching("commitments", Commitment, Commitment.due_date)
    session_titles(
        {q.session_id for q in questions} | {r.session_id for r in responses} | {c.session_id for c in commitments}
    )

    results.groups["questions"] = [
        Hit(
            q.topic,
            snippet(q.body, query),
            link("questions.detail", question_id=q.id),
            f"{label('question_kind', q.kind)} · {q.author.name} · {titles.get(q.session_id, '')}",
        )
        for q in questions
    ]
    results.groups["responses"] = [
        Hit(
            label("response_kind", r.kind) + (f" · {r.responder.name}" if r.responder else ""),
            snippet(r.text, query),
            (
                link("questions.detail", question_id=r.questions[0].id)
                if r.questions
                else link("sessions.detail", session_id=r.session_id)
            ),
            titles.get(r.session_id, ""),
        )
        for r in responses
    ]
    results.groups["commitments"] = [
        Hit(
            snippet(c.description, query, 120),
            f"{c.unit.name} · {c.due_date:%d/%m/%Y}",
            link("followups.detail", commitment_id=c.id),
            f"{label('commitment_status', c.status)} · {titles.get(c.session_id, '')}",
        )
        for c in commitments
    ]
    return results
