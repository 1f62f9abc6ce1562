"""Fixtures of the live session's tests: a session that is live, with invitees and accepted questions."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_question as _make_question
from tests.factories import schedule


def make_session(tree, *, status: str = "live", turn_seconds: int = 180, units=None):
    """A session hosted by the district, inviting the cells beneath ``units`` (both communes by default)."""
    return schedule(
        tree,
        status=status,
        units=units or tree.communes,
        close_in=timedelta(days=1),
        starts_in=timedelta(days=2),
        turn_seconds=turn_seconds,
    )


def make_question(session, author, topic="Khó khăn trong kiểm tra", status="accepted", position=None):
    return _make_question(session, author, topic=topic, status=status, position=position)
