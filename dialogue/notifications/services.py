"""Notices in the app and e-mail. E-mail leaves only after the commit; without an SMTP server configured
it is written to the log, so a hall without internet loses nothing."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import date
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.after_commit import after_commit
from ..core.bulk import insert_rows
from ..core.text import nfc
from ..core.timeutil import now
from ..extensions import db
from .models import Notification, SentReminder

log = logging.getLogger("dialogue.mail")
# Every message handed to the mailer in this process, newest last: what tests and the log console read.
OUTBOX: list[EmailMessage] = []


def notify(user: User | int, text: str, link: str | None = None) -> Notification:
    """An in-app notice for one person. Part of the caller's transaction."""
    user_id = user if isinstance(user, int) else user.id
    notice = Notification(user_id=user_id, text=nfc(text), link=link)
    db.session.add(notice)
    return notice


def notify_all(user_ids: Iterable[int], text: str, link: str | None = None) -> int:
    """The same notice for many people (everyone invited to a session), as one bulk insert in the caller's
    transaction. Returns how many."""
    text = nfc(text)
    return insert_rows(Notification, [{"user_id": user_id, "text": text, "link": link} for user_id in user_ids])


def send_mail_after_commit(to: str | None, subject: str, body: str) -> None:
    """Queues an e-mail for after the commit; silently skips people without an address."""
    if not to:
        return
    app = current_app._get_current_object()
    after_commit(lambda: _deliver(app, to, subject, body))


def _deliver(app, to: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    OUTBOX.append(msg)
    server = app.config.get("MAIL_SERVER")
    if not server:
        log.info("mail (no SMTP configured) to=%s subject=%s\n%s", to, subject, body)
        return
    with smtplib.SMTP(server, app.config["MAIL_PORT"], timeout=20) as smtp:
        if app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if app.config.get("MAIL_USERNAME"):
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        smtp.send_message(msg)


def claim_reminder(key: str, day: date) -> bool:
    """True the first time ``key`` is claimed on ``day``; False if that reminder already went out that day.

    The unique (key, day) constraint decides, so two cron runs at once still send once."""
    try:
        with db.session.begin_nested():
            db.session.add(SentReminder(key=key, sent_on=day))
    except IntegrityError:
        return False
    return True


def unread_count(user: User) -> int:
    stmt = select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(stmt) or 0


def recent(user: User, limit: int = 50) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
    return result.rowcount or 0
