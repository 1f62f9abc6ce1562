"""Who may read, write, publish and sign the office's documents, and who sets their format. Called by the services,
the views, the templates (through ``template_helpers``) and the API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.access import STAFF
from ..core.errors import Forbidden

# A session's minutes and conclusion notice.
READERS: tuple[str, ...] = ("organizer", "host", "secretariat")
EDITORS: tuple[str, ...] = ("organizer", "host")
PUBLISHERS: tuple[str, ...] = ("organizer", "host")
# Periodic reports: the secretariat (and the office) writes and publishes them; all staff read them.
REPORT_READERS: tuple[str, ...] = STAFF
REPORT_EDITORS: tuple[str, ...] = ("organizer", "secretariat")
PROFILE_ADMINS: tuple[str, ...] = ("admin",)
# Who signs: the head or a deputy on behalf of the collective (T/M, K/T); by delegation (T/L) also the office.
SIGNERS: dict[str, tuple[str, ...]] = {"tm": ("host",), "kt": ("host",), "tl": ("host", "organizer")}
# The minutes are signed by their chair.
CHAIR_SIGNERS: tuple[str, ...] = ("host",)


def _has(user, roles: tuple[str, ...]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*roles)


def can_read_documents(user) -> bool:
    return _has(user, READERS)


def can_edit_documents(user) -> bool:
    return _has(user, EDITORS)


def can_publish_documents(user) -> bool:
    return _has(user, PUBLISHERS)


def can_read_reports(user) -> bool:
    return _has(user, REPORT_READERS)


def can_edit_reports(user) -> bool:
    return _has(user, REPORT_EDITORS)


def can_manage_profile(user) -> bool:
    return _has(user, PROFILE_ADMINS)


def may_sign(user, signing: str, kind: str) -> bool:
    if user is None or not getattr(user, "active", False):
        return False
    roles = CHAIR_SIGNERS if kind == "minutes" else SIGNERS.get(signing, ())
    return user.has_role(*roles)


def check_reader(user) -> None:
    if not can_read_documents(user):
        raise Forbidden(_l("Chỉ Văn phòng, người chủ trì và bộ phận theo dõi được xem văn bản của buổi đối thoại."))


def check_editor(user) -> None:
    if not can_edit_documents(user):
        raise Forbidden(_l("Chỉ Văn phòng (thư ký) và người chủ trì được soạn văn bản."))


def check_publisher(user) -> None:
    if not can_publish_documents(user):
        raise Forbidden(_l("Chỉ Văn phòng và người chủ trì được ban hành văn bản."))


def check_report_reader(user) -> None:
    if not can_read_reports(user):
        raise Forbidden(_l("Chỉ cán bộ của cơ quan được xem báo cáo định kỳ."))


def check_report_editor(user) -> None:
    if not can_edit_reports(user):
        raise Forbidden(_l("Chỉ Văn phòng và bộ phận theo dõi được soạn, ban hành báo cáo định kỳ."))


def check_profile_admin(user) -> None:
    if not can_manage_profile(user):
        raise Forbidden(_l("Chỉ quản trị hệ thống được sửa thể thức văn bản."))


def template_helpers() -> dict:
    """What the templates ask, by name, instead of listing roles."""
    return {
        "can_read_documents": can_read_documents,
        "can_edit_documents": can_edit_documents,
        "can_publish_documents": can_publish_documents,
        "can_read_reports": can_read_reports,
        "can_edit_reports": can_edit_reports,
        "can_manage_profile": can_manage_profile,
    }
