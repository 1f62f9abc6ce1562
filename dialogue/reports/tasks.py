"""Promises made in responses, taken up as tasks of the conclusion notice: a response that took something on
board (or answered, or referred it) without a commitment can become one, with a lead unit and a deadline."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..core.errors import Conflict, NotFound
from ..extensions import db
from ..followups.models import Commitment
from ..responses.models import Response
from ..sessions.models import DialogueSession
from .permissions import check_editor

PROMISE_KINDS = ("taken_on_board", "answered", "referred")


def take_up_promise(
    actor: User, session: DialogueSession, *, response_id: int, description: str | None, unit_id: int, due_date: date
) -> Commitment:
    """Creates the commitment (through the follow-ups' rules: who may assign, a unit, a deadline not past) linked
    to the response; without a description, the response's own words are the task."""
    from ..followups.services import create_commitment

    check_editor(actor)
    response = db.session.get(Response, response_id)
    if response is None or response.session_id != session.id or response.kind not in PROMISE_KINDS:
        raise NotFound(_l("Không tìm thấy ý kiến trả lời này trong buổi đối thoại."))
    taken = db.session.scalar(
        db.select(Commitment.id).where(Commitment.response_id == response.id, Commitment.status != "cancelled")
    )
    if taken is not None:
        raise Conflict(_l("Ý kiến này đã được giao thành nhiệm vụ."), code="already_taken_up")
    return create_commitment(
        actor,
        description=(description or "").strip() or response.text,
        unit_id=unit_id,
        due_date=due_date,
        session_id=session.id,
        response_id=response.id,
    )
