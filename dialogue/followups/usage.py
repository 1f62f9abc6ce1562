"""The follow-ups area's answer to the units area: a unit that was given a commitment is in use."""

from __future__ import annotations

from sqlalchemy import exists, select

from ..extensions import db
from ..units.models import Unit
from ..units.signals import unit_in_use
from .models import Commitment


@unit_in_use.connect
def unit_has_commitments(unit: Unit, **_kw) -> bool:
    return bool(db.session.scalar(select(exists().where(Commitment.unit_id == unit.id))))
