"""The sessions area's answers to the units area: a unit that hosted or was invited to a session is in use."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from ..extensions import db
from ..units.models import Unit
from ..units.signals import unit_in_use
from .models import DialogueSession, Invitation, SessionInvitedUnit


@unit_in_use.connect
def unit_has_sessions(unit: Unit, **_kw) -> bool:
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(DialogueSession.host_unit_id == unit.id),
                    exists().where(SessionInvitedUnit.unit_id == unit.id),
                    exists().where(Invitation.unit_id == unit.id),
                )
            )
        )
    )
