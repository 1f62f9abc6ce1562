"""The names and links of the objects an audit page mentions, read in one query per kind of object.

A page of the log mentions hundreds of objects (the entries' own objects, and the units, people, sessions,
submissions... their fields point to). ``resolve(wanted)`` takes every id of a page at once, by kind, and answers
each kind with one query, so a page of 200 entries asks as many queries as a page of 10.

The audit area sits below sessions, questions, live, responses, followups and reports, and never imports them:
their rows are read here through the tables of the shared metadata, by name, only to say what an entry is about.
``tests/test_audit_display.py`` names one real row of every kind, so a renamed column fails a test, not a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Table, select

from ..accounts.models import ApiToken, User
from ..core.labels import label
from ..core.timeutil import format_date
from ..extensions import db
from ..units.models import Unit

NAME_LIMIT = 90


@dataclass(frozen=True)
class Ref:
    """An object as the page shows it: its name, and where it is (None: no page to go to)."""

    name: str
    url: str | None = None


Resolver = Callable[[list[int]], dict[int, Ref]]

# AuditEntry.object_type -> the kind of reference that names it.
OBJECT_KINDS: dict[str, str] = {
    "units": "unit",
    "users": "user",
    "api_tokens": "token",
    "dialogue_sessions": "session",
    "invitations": "invitation",
    "questions": "question",
    "speakers": "speaker",
    "responses": "response",
    "commitments": "commitment",
    "document_drafts": "document_draft",
    "published_documents": "published_document",
    "calendar_exceptions": "calendar_day",
}


def short(text: str | None, limit: int = NAME_LIMIT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _units(ids: list[int]) -> dict[int, Ref]:
    rows = db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    return {i: Ref(name, url_for("units.edit", unit_id=i)) for i, name in rows}


def _users(ids: list[int]) -> dict[int, Ref]:
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {i: Ref(name, url_for("accounts.user_edit", user_id=i)) for i, name in rows}


def _tokens(ids: list[int]) -> dict[int, Ref]:
    rows = db.session.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.user_id, User.name)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id.in_(ids))
    )
    return {
        i: Ref(
            _("Khóa “%(name)s” của %(person)s", name=name, person=person), url_for("accounts.user_edit", user_id=uid)
        )
        for i, name, uid, person in rows
    }


def _session_name(title: str, starts_at: Any) -> str:
    return _("%(title)s (%(day)s)", title=short(title), day=format_date(starts_at))


def _sessions(ids: list[int]) -> dict[int, Ref]:
    s = _table("dialogue_sessions")
    rows = db.session.execute(select(s.c.id, s.c.title, s.c.starts_at).where(s.c.id.in_(ids)))
    return {i: Ref(_session_name(title, at), url_for("sessions.detail", session_id=i)) for i, title, at in rows}


def _invitations(ids: list[int]) -> dict[int, Ref]:
    inv, s = _table("invitations"), _table("dialogue_sessions")
    rows = db.session.execute(
        select(inv.c.id, inv.c.session_id, User.name, s.c.title, s.c.starts_at)
        .join(User, User.id == inv.c.user_id)
        .join(s, s.c.id == inv.c.session_id)
        .where(inv.c.id.in_(ids))
    )
    return {
        i: Ref(
            _("Giấy mời %(person)s dự %(session)s", person=person, session=_session_name(title, at)),
            url_for("sessions.invitees", session_id=sid),
        )
        for i, sid, person, title, at in rows
    }


def _questions(ids: list[int]) -> dict[int, Ref]:
    q = _table("questions")
    rows = db.session.execute(
        select(q.c.id, q.c.kind, q.c.topic, User.name).join(User, User.id == q.c.author_id).where(q.c.id.in_(ids))
    )
    return {
        i: Ref(
            _("%(kind)s “%(topic)s” của %(person)s", kind=label("question_kind", kind), topic=short(topic), person=who),
            url_for("questions.detail", question_id=i),
        )
        for i, kind, topic, who in rows
    }


def _speakers(ids: list[int]) -> dict[int, Ref]:
    sp = _table("speakers")
    rows = db.session.execute(
        select(sp.c.id, sp.c.session_id, User.name).join(User, User.id == sp.c.user_id).where(sp.c.id.in_(ids))
    )
    return {
        i: Ref(_("Lượt phát biểu của %(person)s", person=who), url_for("live.console", session_id=sid))
        for i, sid, who in rows
    }


def _responses(ids: list[int]) -> dict[int, Ref]:
    r = _table("responses")
    rows = db.session.execute(select(r.c.id, r.c.session_id, r.c.kind, r.c.text).where(r.c.id.in_(ids)))
    return {
        i: Ref(
            _("%(kind)s: “%(text)s”", kind=label("response_kind", kind), text=short(text, 60)),
            url_for("sessions.detail", session_id=sid),
        )
        for i, sid, kind, text in rows
    }


def _commitments(ids: list[int]) -> dict[int, Ref]:
    c = _table("commitments")
    rows = db.session.execute(
        select(c.c.id, c.c.description, Unit.name).join(Unit, Unit.id == c.c.unit_id).where(c.c.id.in_(ids))
    )
    return {
        i: Ref(
            _("Nhiệm vụ “%(what)s” giao %(unit)s", what=short(what, 70), unit=unit),
            url_for("followups.detail", commitment_id=i),
        )
        for i, what, unit in rows
    }


def document_words(kind: str) -> str:
    return _("Biên bản") if kind == "minutes" else _("Thông báo kết luận") if kind == "conclusion" else kind


def _documents(table_name: str, draft: bool) -> Resolver:
    def resolve(ids: list[int]) -> dict[int, Ref]:
        d, s = _table(table_name), _table("dialogue_sessions")
        rows = db.session.execute(
            select(d.c.id, d.c.session_id, d.c.kind, s.c.title, s.c.starts_at)
            .join(s, s.c.id == d.c.session_id)
            .where(d.c.id.in_(ids))
        )
        found = {}
        for i, sid, kind, title, at in rows:
            session = _session_name(title, at)
            if draft:
                name = _("Dự thảo %(document)s của %(session)s", document=document_words(kind).lower(), session=session)
            else:
                name = _("%(document)s của %(session)s", document=document_words(kind), session=session)
            found[i] = Ref(name, url_for("sessions.detail", session_id=sid))
        return found

    return resolve


def _calendar_days(ids: list[int]) -> dict[int, Ref]:
    c = _table("calendar_exceptions")
    rows = db.session.execute(select(c.c.id, c.c.day).where(c.c.id.in_(ids)))
    return {
        i: Ref(_("Ngày %(day)s", day=format_date(day)), url_for("calendar.index", year=day.year)) for i, day in rows
    }


RESOLVERS: dict[str, Resolver] = {
    "unit": _units,
    "user": _users,
    "token": _tokens,
    "session": _sessions,
    "invitation": _invitations,
    "question": _questions,
    "speaker": _speakers,
    "response": _responses,
    "commitment": _commitments,
    "document_draft": _documents("document_drafts", draft=True),
    "published_document": _documents("published_documents", draft=False),
    "calendar_day": _calendar_days,
}


class Wanted:
    """The ids a page needs named, gathered by kind before anything is read."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = {}

    def add(self, kind: str, value: Any) -> None:
        if kind not in RESOLVERS or isinstance(value, bool):
            return
        try:
            number = int(value)
        except (TypeError, ValueError):
            return
        self.ids.setdefault(kind, set()).add(number)

    def add_all(self, kind: str, values: Iterable[Any]) -> None:
        for value in values:
            self.add(kind, value)


def resolve(wanted: Wanted) -> dict[str, dict[int, Ref]]:
    """Every wanted object's name and link: one query per kind, whatever the number of ids."""
    return {kind: RESOLVERS[kind](sorted(ids)) for kind, ids in wanted.ids.items() if ids}
