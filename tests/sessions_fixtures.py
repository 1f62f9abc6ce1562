"""Helpers for the sessions and questions tests: a scheduled session over the ``tree`` fixture."""

from __future__ import annotations

from datetime import timedelta

from dialogue.core.timeutil import now
from dialogue.sessions import services as sessions


def schedule(tree, *, units=None, status="open", close_in=timedelta(days=3), **overrides):
    """A session hosted by the district, inviting ``units`` (default: the first commune)."""
    start = now() + close_in + timedelta(days=2)
    values = dict(
        title="Đối thoại về công tác kiểm tra, giám sát",
        topic="Công tác kiểm tra, giám sát",
        term="2020–2025",
        venue="Hội trường Huyện ủy",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        questions_close_at=now() + close_in,
        turn_seconds=300,
        host_unit_id=tree.district.id,
        invited_unit_ids=[u.id for u in (units if units is not None else [tree.communes[0]])],
        host_ids=[tree.host.id],
    )
    values.update(overrides)
    session = sessions.create_session(tree.organizer, **values)
    if status in ("open", "closed", "live", "ended"):
        sessions.change_status(tree.organizer, session, "open")
    for step in ("closed", "live", "ended"):
        if (
            status == step
            or (status in ("live", "ended") and step == "closed")
            or (status == "ended" and step == "live")
        ):
            sessions.change_status(tree.organizer, session, step)
    return session
