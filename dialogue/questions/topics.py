"""Topics grouped without regard to accents, case or punctuation.

Secretaries type the topic of a submission themselves, on phones that do not always have a Vietnamese keyboard:
"Bieu mau bao cao", "Biểu mẫu báo cáo" and "biểu mẫu, báo cáo" are one topic, and every page, statistic and
export that groups or counts topics counts them once. A group is shown in its most common spelling among those
typed with accents; a spelling without any accent is shown only when nobody typed one with them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select

from ..core.text import fold
from ..extensions import db
from .models import Question

NO_TOPIC = "—"
_WORD = re.compile(r"\w+", re.UNICODE)


def topic_key(topic: str | None) -> str:
    """What two spellings of one topic have in common: the folded words, without punctuation."""
    return " ".join(_WORD.findall(fold(topic or "")))


def _has_accents(spelling: str) -> bool:
    return fold(spelling) != " ".join(spelling.lower().split())


def display_name(spellings: Counter) -> str:
    """The spelling a group is shown in: with accents first, then the most common, then the first in order."""
    return min(spellings, key=lambda s: (not _has_accents(s), -spellings[s], s))


def group_counts(counts: Iterable[tuple[str | None, int]]) -> list[tuple[str, int]]:
    """``(topic as typed, count)`` rows → ``(topic as shown, count)`` per group, the largest first."""
    groups: dict[str, Counter] = defaultdict(Counter)
    for topic, count in counts:
        spelling = " ".join((topic or "").split())
        groups[topic_key(spelling)][spelling or NO_TOPIC] += count
    rows = [(display_name(spellings), sum(spellings.values())) for spellings in groups.values()]
    return sorted(rows, key=lambda row: (-row[1], topic_key(row[0]), row[0]))


def groups_of(session_id: int) -> list[dict]:
    """The topics of a session's submissions, one entry per group: ``name`` (as shown), ``key``, ``count``.
    One query."""
    rows = db.session.execute(
        select(Question.topic, func.count()).where(Question.session_id == session_id).group_by(Question.topic)
    ).all()
    return [{"name": name, "key": topic_key(name), "count": count} for name, count in group_counts(rows)]


def spellings_of(session_id: int, topic: str) -> list[str]:
    """Every spelling of ``topic``'s group among the session's submissions (to filter by the group). One query."""
    key = topic_key(topic)
    typed = db.session.scalars(select(Question.topic).where(Question.session_id == session_id).distinct())
    return [spelling for spelling in typed if topic_key(spelling) == key]
