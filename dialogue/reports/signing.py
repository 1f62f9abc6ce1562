"""How a document is signed and to whom it goes, chosen at publish: T/M (the head for the collective), K/T (a
deputy for the head) or T/L (by delegation), the collective (BAN THƯỜNG VỤ…), the signer's title (BÍ THƯ, PHÓ BÍ
THƯ…) and name; the recipients, always ending with "Lưu Văn phòng …". The minutes are signed by the minute taker
and the chair (Hướng dẫn 16-HD/VPTW)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..core.errors import Invalid
from ..core.text import fold, nfc
from ..extensions import db
from .layout import DEFAULT_TITLES, SIGNING_MODES
from .permissions import may_sign

MAX_RECIPIENTS = 100
RECIPIENT_LIMIT = 300
LINE_LIMIT = 100


def default_signing(kind: str, record: dict | None, profile: dict, issuer: dict | None = None) -> dict:
    """Before anyone chooses: the first chair signs for the collective as its head (a report: a leader of the
    issuing unit)."""
    chair = record["chairs"][0] if record and record.get("chairs") else None
    if chair is None and issuer and issuer.get("unit_id"):
        chair = _leader_of(issuer["unit_id"])
    return {
        "mode": "tm",
        "collective": profile["default_collective"],
        "title": DEFAULT_TITLES["tm"],
        "signer_id": chair["id"] if chair else None,
        "signer": chair["name"] if chair else "",
    }


def _leader_of(unit_id: int) -> dict | None:
    from ..accounts.models import UserRole

    leader = db.session.scalar(
        db.select(User)
        .where(User.unit_id == unit_id, User.active.is_(True), User.roles.any(UserRole.role == "host"))
        .order_by(User.id)
        .limit(1)
    )
    return {"id": leader.id, "name": leader.name} if leader is not None else None


def default_recipients(kind: str, record: dict | None, issuer: dict) -> list[str]:
    """The superior body to be informed, the lead units of the tasks (a notice), and the office's archive."""
    items: list[str] = []
    if issuer.get("parent_name") and kind != "minutes":
        items.append(f"{issuer['parent_name']} (để báo cáo)")
    if kind == "conclusion" and record:
        seen = set()
        for c in record["commitments"]:
            if c["unit"] and c["unit"] not in seen:
                seen.add(c["unit"])
                items.append(c["unit"])
    items.append(issuer.get("archive") or "Lưu Văn phòng")
    return items


def is_archive(line: str) -> bool:
    return fold(line.strip().lstrip("-–• ")).startswith("luu")


def clean_recipients(values: list[str] | str | None, issuer: dict) -> list[str]:
    """The publisher's list, one recipient a line, ending with the archive ("Lưu Văn phòng …", added if missing)."""
    if isinstance(values, str):
        values = values.splitlines()
    items = []
    for value in values or []:
        text = (nfc(str(value)) or "").strip().lstrip("-–•").strip().rstrip(",;.").strip()
        if not text:
            continue
        if len(text) > RECIPIENT_LIMIT:
            raise Invalid(
                _l("Mỗi nơi nhận tối đa %(n)s ký tự.", n=RECIPIENT_LIMIT),
                fields={"recipients": [str(_l("Quá dài."))]},
            )
        items.append(text)
    items = [item for item in items if not is_archive(item)] + [item for item in items if is_archive(item)]
    if not items or not is_archive(items[-1]):
        items.append(issuer.get("archive") or "Lưu Văn phòng")
    if len(items) > MAX_RECIPIENTS:
        raise Invalid(_l("Tối đa %(n)s nơi nhận.", n=MAX_RECIPIENTS), fields={"recipients": [str(_l("Quá nhiều."))]})
    return items


def _line(value: str | None, default: str, name: str) -> str:
    text = (nfc(value or "") or "").upper() or default
    if len(text) > LINE_LIMIT:
        raise Invalid(_l("Quá dài (tối đa %(n)s ký tự).", n=LINE_LIMIT), fields={name: [str(_l("Quá dài."))]})
    return text


def signing_for(
    kind: str,
    content: dict,
    *,
    signer_id: int | None,
    signing: str | None,
    collective: str | None,
    title: str | None,
    recipients: list[str] | str | None,
) -> dict:
    """The checked signing block and recipients of a document being published."""
    mode = (signing or "tm").lower()
    if mode not in SIGNING_MODES:
        raise Invalid(_l("Thể thức ký phải là T/M, K/T hoặc T/L."), fields={"signing": [str(_l("Không hợp lệ."))]})
    default = content["signing"]
    signer_id = signer_id or default.get("signer_id")
    signer = db.session.get(User, signer_id) if signer_id else None
    if signer is None:
        raise Invalid(_l("Xin chọn người ký."), fields={"signer_id": [str(_l("Bắt buộc."))]})
    if not may_sign(signer, mode, kind):
        message = (
            _l("Người ký biên bản phải là người chủ trì (tài khoản chủ trì đang hoạt động).")
            if kind == "minutes"
            else _l("%(name)s không thể ký theo thể thức này.", name=signer.name)
        )
        raise Invalid(message, fields={"signer_id": [str(message)]})
    block = {
        "mode": mode,
        "collective": _line(collective, content["profile"]["default_collective"], "collective"),
        "title": _line(title, DEFAULT_TITLES[mode], "title"),
        "signer_id": signer.id,
        "signer": signer.name,
    }
    items = list(content["recipients"]) if recipients is None else clean_recipients(recipients, content["issuer"])
    return {"signing": block, "recipients": items}


def signer_choices(kind: str) -> list[User]:
    """People who may sign some way (the form lists them; the service checks the chosen way)."""
    from ..accounts.models import UserRole

    roles = ("host",) if kind == "minutes" else ("host", "organizer")
    return list(
        db.session.scalars(
            db.select(User).where(User.active.is_(True), User.roles.any(UserRole.role.in_(roles))).order_by(User.name)
        ).unique()
    )
