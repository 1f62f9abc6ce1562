"""What an invitee is shown while typing a submission: the session's accepted submissions that already ask the
same thing, so they can support one instead of sending it again (200 secretaries, a handful of turns in the hall:
one request with forty supporters weighs more than forty copies of it).

Read-only. Offered to those who may submit (invited, session open for questions), in as many queries whatever the
number of submissions. Supporting goes through ``services.support_question``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core.errors import Conflict, Forbidden
from ..core.labels import label
from ..extensions import db
from ..sessions import services as sessions
from ..sessions.models import DialogueSession
from . import similarity
from .models import Question
from .services import supported_by, supporter_counts

MAX_TEXT = 2000  # what is compared of a long draft: its beginning says what it asks
LIMIT = 3


def similar_accepted(actor: User, session: DialogueSession, text: str, limit: int = LIMIT) -> list[dict]:
    """The session's accepted submissions most like ``text`` (the draft being typed), best first, each with its
    supporters, whether ``actor`` supports it and whether they may."""
    if sessions.invitation_for(session.id, actor.id) is None or session.status == "draft":
        raise Forbidden(_l("Bạn không được mời tham dự buổi đối thoại này nên không xem được các ý kiến tương tự."))
    if not sessions.questions_open(session):
        raise Conflict(_l("Buổi đối thoại không còn nhận câu hỏi nên không có gợi ý ý kiến tương tự."), code="not_open")
    rows = db.session.execute(
        select(Question.id, Question.author_id, Question.kind, Question.topic, Question.body, Question.status).where(
            Question.session_id == session.id, Question.status != "withdrawn"
        )
    ).all()
    accepted = {row.id: row for row in rows if row.status == "accepted"}
    if not accepted:
        return []
    text = (text or "")[:MAX_TEXT]
    corpus = similarity.Corpus([*(row.body for row in rows), text])  # weighted over the whole session
    found = similarity.most_similar(text, {qid: row.body for qid, row in accepted.items()}, limit=limit, corpus=corpus)
    ids = [qid for qid, _score in found]
    counts = supporter_counts(ids)
    mine = supported_by(actor, ids)
    out = []
    for qid, score in found:
        row = accepted[qid]
        own = row.author_id == actor.id
        out.append(
            {
                "id": qid,
                "kind": row.kind,
                "kind_label": label("question_kind", row.kind),
                "topic": row.topic,
                "body": row.body,
                "score": round(100 * score),
                "supporters": counts.get(qid, 0),
                "supported": qid in mine,
                "mine": own,
                "can_support": session.allow_support and not own,
            }
        )
    return out
