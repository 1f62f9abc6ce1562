"""An audit entry as a person reads it: the action in words, who did it, what it was about, and each field that
changed, by its name, from what to what, with names for ids and links to the objects.

``present(entries)`` does a whole page at once: it first gathers every id the page mentions, reads their names in
one query per kind (``objects.resolve``), then writes the rows, so the page costs the same for 10 entries or 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from ..core.labels import label
from ..core.timeutil import to_local
from .models import AuditEntry
from .objects import OBJECT_KINDS, Ref, Wanted, resolve, short
from .words import LIST_KINDS, REFERENCE_KINDS, SECTIONS, Field, action_words, field_words, object_type_words

LIST_TEXT_LIMIT = 300  # a long text is cut in the list; the entry's own page shows it whole


@dataclass(frozen=True)
class Shown:
    """One value on the page: words, and a link when the value is an object."""

    text: str
    url: str | None = None


@dataclass
class Change:
    """One line of an entry: ``label`` (about ``subject``, for a part of a field), ``before`` → ``after``. A side
    is None when the entry has none (a creation has no before, a deletion no after)."""

    label: str
    before: list[Shown] | None
    after: list[Shown] | None
    subject: Shown | None = None


@dataclass
class Row:
    entry: AuditEntry
    at: str
    action: str
    actor: Shown | None
    subject: Shown | None
    unit: Shown | None
    changes: list[Change] = field(default_factory=list)


def when(value: Any) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh, for a stored datetime or its ISO text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def duration(value: Any) -> str:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return str(value)
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("%(s)s giây", s=rest)
    if not rest:
        return _("%(m)s phút", m=minutes)
    return _("%(m)s phút %(s)s giây", m=minutes, s=rest)


def _empty() -> list[Shown]:
    return [Shown(_("(trống)"))]


# Gathering the ids -------------------------------------------------------------------------------------------


def _want_value(wanted: Wanted, spec: Field, value: Any) -> None:
    if value is None:
        return
    if spec.kind in REFERENCE_KINDS:
        wanted.add(spec.kind, value)
    elif spec.kind in LIST_KINDS and isinstance(value, list):
        wanted.add_all(LIST_KINDS[spec.kind], value)
    elif spec.kind == "positions" and isinstance(value, dict):
        wanted.add_all("question", value.keys())
    elif spec.kind == "sections" and isinstance(value, dict) and isinstance(value.get("summaries"), dict):
        wanted.add_all("speaker", value["summaries"].keys())


def _want(wanted: Wanted, entry: AuditEntry) -> None:
    kind = OBJECT_KINDS.get(entry.object_type)
    if kind is not None and entry.object_id is not None:
        wanted.add(kind, entry.object_id)
    if entry.unit_id is not None:
        wanted.add("unit", entry.unit_id)
    for side in (entry.before, entry.after):
        for key, value in (side or {}).items():
            _want_value(wanted, field_words(entry.object_type, key), value)


# Saying the values -------------------------------------------------------------------------------------------


class Sayer:
    """Says the values of one page, from the names read for it."""

    def __init__(self, refs: dict[str, dict[int, Ref]], text_limit: int | None) -> None:
        self.refs = refs
        self.text_limit = text_limit

    def ref(self, kind: str, value: Any) -> Shown:
        try:
            found = self.refs.get(kind, {}).get(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            return Shown(_("#%(id)s (không còn)", id=value))
        return Shown(found.name, found.url)

    def text(self, value: Any) -> str:
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        text = str(value)
        return short(text, self.text_limit) if self.text_limit else text

    def value(self, spec: Field, value: Any) -> list[Shown]:
        if value is None or value == "":
            return _empty()
        kind = spec.kind
        if kind in REFERENCE_KINDS:
            return [self.ref(kind, value)]
        if kind in LIST_KINDS:
            items = value if isinstance(value, list) else [value]
            return [self.ref(LIST_KINDS[kind], v) for v in items] or [Shown(_("(không có)"))]
        if kind == "roles":
            items = value if isinstance(value, list) else [value]
            return [Shown(label("role", v)) for v in items] or [Shown(_("(không có)"))]
        if kind == "labels":
            return [Shown(label(spec.labels or "", str(value)))]
        if kind == "choice":
            return [Shown(str(spec.choices.get(str(value), value)))]
        if kind == "bool" or isinstance(value, bool):
            return [Shown(_("có") if value else _("không"))]
        if kind == "datetime":
            return [Shown(when(value))]
        if kind == "date":
            return [Shown(day(value))]
        if kind == "seconds":
            return [Shown(duration(value))]
        if kind == "percent":
            return [Shown(f"{value}%")]
        return [Shown(self.text(value))]

    def section(self, name: str, value: Any) -> list[Shown]:
        return self.value(Field(name, "text"), value)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _keys(before: dict, after: dict) -> list[str]:
    return list(dict.fromkeys([*before.keys(), *after.keys()]))


def _changes(entry: AuditEntry, sayer: Sayer) -> list[Change]:
    """The lines of an entry: on a creation or a deletion every field, otherwise only those that moved."""
    before, after = entry.before, entry.after
    both = before is not None and after is not None
    lines: list[Change] = []
    for key in _keys(before or {}, after or {}):
        old, new = (before or {}).get(key), (after or {}).get(key)
        if both and old == new:
            continue
        if not both and _blank(old) and _blank(new):
            continue  # a creation or a deletion: only what the object held
        spec = field_words(entry.object_type, key)
        if spec.kind == "positions":
            lines.extend(_position_lines(spec, old, new, both, sayer))
        elif spec.kind == "sections":
            lines.extend(_section_lines(old, new, before is not None, after is not None, sayer))
        else:
            lines.append(
                Change(
                    str(spec.label),
                    sayer.value(spec, old) if before is not None else None,
                    sayer.value(spec, new) if after is not None else None,
                )
            )
    return lines


def _position_lines(spec: Field, old: Any, new: Any, both: bool, sayer: Sayer) -> list[Change]:
    """A reordered agenda: one line per submission whose place changed."""
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    lines = []
    for question_id in _keys(old, new):
        was, now = old.get(question_id), new.get(question_id)
        if both and was == now:
            continue
        lines.append(
            Change(
                str(spec.label),
                [Shown(str(was))] if was is not None else _empty(),
                [Shown(str(now))] if now is not None else _empty(),
                subject=sayer.ref("question", question_id),
            )
        )
    return lines


def _section_lines(old: Any, new: Any, has_before: bool, has_after: bool, sayer: Sayer) -> list[Change]:
    """A document's draft: one line per part the save changed (a turn's summary is a part of its own)."""
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    lines = []
    for name in _keys(old, new):
        if name == "summaries":
            was_all = old.get(name) if isinstance(old.get(name), dict) else {}
            now_all = new.get(name) if isinstance(new.get(name), dict) else {}
            for speaker_id in _keys(was_all, now_all):
                was, now = was_all.get(speaker_id), now_all.get(speaker_id)
                if (has_before and was == now) or (not has_before and _blank(now)):
                    continue
                lines.append(
                    Change(
                        str(SECTIONS["summaries"]),
                        sayer.section(name, was) if has_before else None,
                        sayer.section(name, now) if has_after else None,
                        subject=sayer.ref("speaker", speaker_id),
                    )
                )
            continue
        was, now = old.get(name), new.get(name)
        if (has_before and was == now) or (not has_before and _blank(now)):
            continue
        lines.append(
            Change(
                str(SECTIONS.get(name, name)),
                sayer.section(name, was) if has_before else None,
                sayer.section(name, now) if has_after else None,
            )
        )
    return lines


def _subject(entry: AuditEntry, sayer: Sayer) -> Shown | None:
    """What the entry is about; an object deleted since is named from the entry itself."""
    if not entry.object_type:
        return None
    kind = OBJECT_KINDS.get(entry.object_type)
    if entry.object_id is None or kind is None:
        words = object_type_words(entry.object_type)
        detail = (entry.after or {}).get("file")
        return Shown(f"{words}: {detail}" if detail else words)
    found = sayer.refs.get(kind, {}).get(entry.object_id)
    if found is not None:
        return Shown(found.name, found.url)
    snapshot = entry.before or entry.after or {}
    named = snapshot.get("name") or snapshot.get("title")
    if named is None and snapshot.get("day"):
        named = day(snapshot["day"])
    words = object_type_words(entry.object_type)
    if named:
        return Shown(_("%(what)s “%(name)s” (không còn)", what=words, name=named))
    return Shown(_("%(what)s #%(id)s (không còn)", what=words, id=entry.object_id))


def _actor(entry: AuditEntry) -> Shown | None:
    if entry.actor is None:
        return None
    return Shown(entry.actor.name, url_for("accounts.user_edit", user_id=entry.actor.id))


def present(entries: list[AuditEntry], text_limit: int | None = LIST_TEXT_LIMIT) -> list[Row]:
    """The rows of a page of entries, in a bounded number of queries (one per kind of object mentioned)."""
    wanted = Wanted()
    for entry in entries:
        _want(wanted, entry)
    sayer = Sayer(resolve(wanted), text_limit)
    rows = []
    for entry in entries:
        rows.append(
            Row(
                entry=entry,
                at=when(entry.at),
                action=action_words(entry.action),
                actor=_actor(entry),
                subject=_subject(entry, sayer),
                unit=sayer.ref("unit", entry.unit_id) if entry.unit_id is not None else None,
                changes=_changes(entry, sayer),
            )
        )
    return rows
