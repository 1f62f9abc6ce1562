"""Many rows into one table in the caller's transaction, without an ORM object per row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert

BATCH_ROWS = 500


def insert_rows(model, rows: Sequence[dict]) -> int:
    """ORM bulk inserts of ``rows`` (column defaults apply), ``BATCH_ROWS`` at a time: the statement and the
    driver's buffers for two thousand rows at once stay in the web worker's heap after they are freed."""
    from ..extensions import db

    for start in range(0, len(rows), BATCH_ROWS):
        db.session.execute(insert(model), rows[start : start + BATCH_ROWS])
    return len(rows)
