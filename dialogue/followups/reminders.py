"""``flask followups remind``: each responsible unit hears what falls due within N days and what is overdue; the
secretariat gets a digest. A recipient gets at most one such reminder a day (``claim_reminder``), however often
cron runs it, and a second run the same day reports nothing again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core.timeutil import today_local
from ..extensions import db
from ..notifications.services import claim_reminder, notify, send_mail_after_commit
from .models import OPEN_STATUSES, Commitment
from .notices import URL_PREFIX, format_day, shorten, unit_accounts, verifiers


@dataclass
class ReminderReport:
    units: int = 0
    unit_messages: int = 0
    digests: int = 0
    overdue: int = 0
    due_soon: int = 0
    skipped: int = 0
    overdue_ids: list[int] = field(default_factory=list)
    units_without_account: list[str] = field(default_factory=list)


def remind(days: int | None = None, today: date | None = None) -> ReminderReport:
    """Tells each responsible unit what falls due within ``days`` and what is overdue, and sends the secretariat a
    digest. Each recipient gets at most one such reminder a day (``claim_reminder``), however often it runs."""
    today = today or today_local()
    days = current_app.config.get("REMINDER_DAYS_AHEAD", 7) if days is None else days
    horizon = today + timedelta(days=days)
    rows = list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.status.in_(OPEN_STATUSES), Commitment.due_date <= horizon)
            .options(joinedload(Commitment.unit))
            .order_by(Commitment.due_date, Commitment.id)
        ).unique()
    )
    report = ReminderReport()
    reported: set[int] = set()  # what went out in this run: a second run the same day reports nothing again
    by_unit: dict[int, list[Commitment]] = {}
    for commitment in rows:
        by_unit.setdefault(commitment.unit_id, []).append(commitment)
    accounts: dict[int, list[User]] = {}
    for user in unit_accounts(by_unit):
        if user.unit_id is not None:
            accounts.setdefault(user.unit_id, []).append(user)
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    for unit_id, items in by_unit.items():
        unit = items[0].unit
        if not accounts.get(unit_id):
            report.units_without_account.append(unit.name)
            continue
        late = [c for c in items if c.due_date < today]
        soon = [c for c in items if c.due_date >= today]
        text = _(
            "Nhắc việc: %(unit)s có %(late)s nhiệm vụ quá hạn và %(soon)s nhiệm vụ đến hạn trong %(days)s ngày tới.",
            unit=unit.name,
            late=len(late),
            soon=len(soon),
            days=days,
        )
        body = _reminder_body(text, late, soon, today, base)
        for user in accounts[unit_id]:
            if not claim_reminder(f"followups:unit:{unit_id}:user:{user.id}", today):
                report.skipped += 1
                continue
            notify(user, text, f"{URL_PREFIX}/mine")
            send_mail_after_commit(user.email, _("Nhắc việc: nhiệm vụ đến hạn và quá hạn"), body)
            report.unit_messages += 1
            reported.update(c.id for c in items)
    if rows:
        late_all = [c for c in rows if c.due_date < today]
        soon_all = [c for c in rows if c.due_date >= today]
        text = _(
            "Tổng hợp ngày %(day)s: %(late)s nhiệm vụ quá hạn, %(soon)s nhiệm vụ đến hạn trong %(days)s ngày tới, "
            "thuộc %(units)s đơn vị.",
            day=format_day(today),
            late=len(late_all),
            soon=len(soon_all),
            days=days,
            units=len(by_unit),
        )
        body = _reminder_body(text, late_all, soon_all, today, base, with_unit=True)
        if report.units_without_account:
            body += "\n\n" + _(
                "Đơn vị chưa có tài khoản nhận nhắc việc: %(names)s", names=", ".join(report.units_without_account)
            )
        for user in verifiers():
            if not claim_reminder(f"followups:digest:user:{user.id}", today):
                report.skipped += 1
                continue
            notify(user, text, f"{URL_PREFIX}/?overdue=1")
            send_mail_after_commit(user.email, _("Tổng hợp nhiệm vụ quá hạn và sắp đến hạn"), body)
            report.digests += 1
            reported.update(c.id for c in rows)
    for commitment in rows:
        if commitment.id not in reported:
            continue
        if commitment.due_date < today:
            report.overdue += 1
            report.overdue_ids.append(commitment.id)
        else:
            report.due_soon += 1
    report.units = len({c.unit_id for c in rows if c.id in reported})
    return report


def _reminder_body(
    text: str,
    late: list[Commitment],
    soon: list[Commitment],
    today: date,
    base: str,
    *,
    with_unit: bool = False,
    limit: int = 100,
) -> str:
    lines = [text, ""]

    def line(c: Commitment) -> str:
        who = f"[{c.unit.name}] " if with_unit else ""
        due = _("hạn %(d)s", d=format_day(c.due_date))
        return f"- {who}{shorten(c.description, 160)} — {due} — {base}{URL_PREFIX}/{c.id}"

    if late:
        lines.append(_("QUÁ HẠN:"))
        lines.extend(line(c) for c in late[:limit])
        if len(late) > limit:
            lines.append(_("… và %(n)s nhiệm vụ khác.", n=len(late) - limit))
        lines.append("")
    if soon:
        lines.append(_("SẮP ĐẾN HẠN:"))
        lines.extend(line(c) for c in soon[:limit])
        if len(soon) > limit:
            lines.append(_("… và %(n)s nhiệm vụ khác.", n=len(soon) - limit))
    return "\n".join(lines)
