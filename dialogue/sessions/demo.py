"""Demo step: an upcoming session of the district, open for questions, inviting the cell secretaries of Bình An
and Giục Tượng, with a handful of submissions about inspection and supervision. Looks before it creates."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import find_by_login
from ..core.timeutil import LOCAL_TZ, now, today_local
from ..extensions import db
from ..units.models import Unit
from .models import DialogueSession, Invitation

TITLE = "Thường trực Huyện ủy tiếp xúc, đối thoại trực tiếp với bí thư chi bộ xã Bình An và Giục Tượng"
TOPIC = "Công tác kiểm tra, giám sát"
COMMUNES = ("Đảng ủy xã Bình An", "Đảng ủy xã Giục Tượng")

# (kind, body) per secretary, in order of the invitation list; the first is bithuchibo@demo.vn's.
SUBMISSIONS = (
    (
        "recommendation",
        "Đề nghị Ủy ban Kiểm tra Huyện ủy ban hành hướng dẫn cụ thể quy trình kiểm tra đảng viên khi có dấu hiệu"
        " vi phạm, kèm biểu mẫu, vì chi bộ ấp chưa có cán bộ chuyên trách làm công tác kiểm tra.",
    ),
    (
        "question",
        "Chi bộ tự kiểm tra đảng viên chấp hành nghị quyết thì lập hồ sơ, biên bản như thế nào cho đúng quy định,"
        " lưu giữ ở đâu và bao lâu?",
    ),
    (
        "opinion",
        "Việc giám sát đảng viên nơi cư trú còn hình thức; đề nghị có cơ chế phối hợp giữa chi bộ ấp và chi bộ cơ quan"
        " nơi đảng viên công tác để nắm tình hình thường xuyên.",
    ),
    (
        "proposal",
        "Đề xuất Huyện ủy tổ chức lớp tập huấn nghiệp vụ kiểm tra, giám sát cho bí thư chi bộ mỗi năm một lần, vào"
        " mùa nông nhàn để bí thư ấp tham dự đầy đủ.",
    ),
    (
        "recommendation",
        "Đề nghị hướng dẫn cụ thể quy trình kiểm tra đảng viên có dấu hiệu vi phạm và mẫu biểu cho chi bộ ấp.",
    ),
)


def _local(day_offset: int, hour: int) -> datetime:
    day = today_local() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ).astimezone(now().tzinfo)


def seed_open_session() -> None:
    from ..questions import services as questions
    from . import services

    if db.session.scalar(select(DialogueSession.id).where(DialogueSession.title == TITLE)):
        return
    organizer = find_by_login("vanphong@demo.vn")
    host = find_by_login("bithu@demo.vn")
    district = db.session.scalar(select(Unit).where(Unit.name == "Huyện ủy Châu Thành"))
    communes = list(db.session.scalars(select(Unit).where(Unit.name.in_(COMMUNES))))
    if organizer is None or host is None or district is None or len(communes) != len(COMMUNES):
        return  # the tree and accounts steps come first
    session = services.create_session(
        organizer,
        title=TITLE,
        topic=TOPIC,
        term="2020–2025",
        venue="Hội trường Huyện ủy Châu Thành",
        starts_at=_local(14, 14),
        ends_at=_local(14, 17),
        questions_close_at=_local(10, 17),
        turn_seconds=300,
        host_unit_id=district.id,
        invited_unit_ids=[c.id for c in communes],
        host_ids=[host.id],
    )
    services.change_status(organizer, session, "open")
    first = find_by_login("bithuchibo@demo.vn")
    authors: list[User] = [first] if first is not None else []
    others = db.session.scalars(
        select(User)
        .join(Invitation, Invitation.user_id == User.id)
        .where(Invitation.session_id == session.id, User.id != (first.id if first else 0))
        .order_by(Invitation.unit_id.desc(), User.id)
        .limit(len(SUBMISSIONS) - len(authors))
    )
    authors += list(others)
    for author, (kind, body) in zip(authors, SUBMISSIONS, strict=False):
        questions.submit_question(author, session, kind=kind, topic=TOPIC, body=body)
        invitation = services.invitation_for(session.id, author.id)
        if invitation is not None:
            services.set_rsvp(author, session, "accepted")
