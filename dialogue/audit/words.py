"""The words of the audit log: every action and every field an entry can hold, said the way people say it.

An entry stores codes (``commitment.create``, ``unit_id: 45``) so that it never changes once written; the page
says them in words (Vietnamese first, English through the catalog). An area that writes a new action, or a new
field in ``before``/``after``, adds its words here: ``tests/test_audit_words.py`` scans every ``record(`` call of
the package and fails for an action or a field without words.

A field's ``kind`` says how its value is shown: a reference (``unit``, ``user``, ``session``, ``question``,
``speaker``, ``commitment``, ``response``, or a list of them: ``units``...) becomes the object's name with a link,
``labels`` a word of ``core.labels.LABELS[group]``, ``choice`` a word of its own ``choices``, and the plain kinds
(``text``, ``number``, ``bool``, ``date``, ``datetime``, ``seconds``, ``percent``) are formatted for a person.
Two kinds hold several values and are shown one line per part that changed: ``positions`` (a submission's place
in the agenda, by submission) and ``sections`` (the parts of a document's draft, words in ``SECTIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

REFERENCE_KINDS: tuple[str, ...] = ("unit", "user", "session", "question", "speaker", "commitment", "response")
LIST_KINDS: dict[str, str] = {"units": "unit", "users": "user", "questions": "question"}
PLAIN_KINDS: tuple[str, ...] = ("text", "number", "bool", "date", "datetime", "seconds", "percent")
KINDS: tuple[str, ...] = (
    *REFERENCE_KINDS,
    *LIST_KINDS,
    *PLAIN_KINDS,
    "labels",
    "choice",
    "roles",
    "positions",
    "sections",
)


@dataclass(frozen=True)
class Field:
    """How one field of ``before``/``after`` is named and shown."""

    label: Any
    kind: str = "text"
    labels: str | None = None  # for ``labels``: the group of core.labels.LABELS
    choices: dict[str, Any] = field(default_factory=dict)  # for ``choice``: code -> words


# What each action did, in words. Keep it sorted by action.
ACTIONS: dict[str, Any] = {
    "calendar.add": _l("Thêm ngày nghỉ hoặc ngày làm bù"),
    "calendar.remove": _l("Bỏ ngày nghỉ hoặc ngày làm bù"),
    "commitment.cancel": _l("Hủy nhiệm vụ"),
    "commitment.create": _l("Giao nhiệm vụ"),
    "commitment.done": _l("Báo cáo hoàn thành nhiệm vụ"),
    "commitment.extend": _l("Gia hạn nhiệm vụ"),
    "commitment.progress": _l("Cập nhật tiến độ nhiệm vụ"),
    "commitment.reopen": _l("Mở lại nhiệm vụ"),
    "commitment.start": _l("Bắt đầu thực hiện nhiệm vụ"),
    "commitment.status": _l("Đổi trạng thái nhiệm vụ"),
    "commitment.verify": _l("Xác nhận kết quả nhiệm vụ"),
    "document.conclusion.publish": _l("Ban hành thông báo kết luận"),
    "document.conclusion.save": _l("Lưu dự thảo thông báo kết luận"),
    "document.minutes.publish": _l("Ban hành biên bản"),
    "document.minutes.save": _l("Lưu dự thảo biên bản"),
    "document_profile.update": _l("Sửa thể thức văn bản"),
    "issuer_setting.update": _l("Sửa thông tin cơ quan ban hành"),
    "period_report.create": _l("Lập báo cáo định kỳ"),
    "period_report.save": _l("Lưu dự thảo báo cáo định kỳ"),
    "invitation.create": _l("Mời thêm một người"),
    "invitation.delete": _l("Bỏ một người khỏi danh sách khách mời"),
    "invitation.resend": _l("Gửi lại giấy mời"),
    "invitation.rsvp": _l("Trả lời giấy mời"),
    "members.import": _l("Nhập danh sách đảng viên"),
    "question.accept": _l("Tiếp nhận ý kiến"),
    "question.answered": _l("Ghi nhận ý kiến đã được trả lời"),
    "question.assign": _l("Phân công trả lời ý kiến"),
    "question.edit": _l("Sửa ý kiến"),
    "question.merge": _l("Gộp ý kiến trùng"),
    "question.reorder": _l("Sắp xếp thứ tự ý kiến trong chương trình"),
    "question.return": _l("Trả lại ý kiến"),
    "question.submit": _l("Gửi ý kiến"),
    "question.support": _l("Đồng tình với ý kiến"),
    "question.unsupport": _l("Bỏ đồng tình với ý kiến"),
    "question.withdraw": _l("Rút ý kiến"),
    "response.create": _l("Ghi nhận phần trả lời"),
    "session.cancel_check_in": _l("Hủy điểm danh"),
    "session.check_in": _l("Điểm danh"),
    "session.create": _l("Tạo buổi đối thoại"),
    "session.demo_invitations": _l("Tạo giấy mời của dữ liệu mẫu"),
    "session.projector_reset": _l("Đặt lại đường dẫn màn hình chiếu"),
    "session.queue_options": _l("Đổi cách nhận đăng ký phát biểu"),
    "session.remind": _l("Nhắc lịch người được mời"),
    "session.status": _l("Chuyển trạng thái buổi đối thoại"),
    "session.update": _l("Sửa buổi đối thoại"),
    "speaker.finish": _l("Kết thúc lượt phát biểu"),
    "speaker.move": _l("Đổi thứ tự phát biểu"),
    "speaker.pause": _l("Tạm dừng lượt phát biểu"),
    "speaker.readd": _l("Cho đăng ký phát biểu lại"),
    "speaker.request": _l("Đăng ký phát biểu"),
    "speaker.resume": _l("Tiếp tục lượt phát biểu"),
    "speaker.start": _l("Mời phát biểu"),
    "speaker.update": _l("Sửa lượt phát biểu"),
    "speaker.withdraw": _l("Rút đăng ký phát biểu"),
    "token.create": _l("Tạo khóa truy cập API"),
    "token.revoke": _l("Thu hồi khóa truy cập API"),
    "unit.activate": _l("Cho đơn vị hoạt động lại"),
    "unit.create": _l("Tạo đơn vị"),
    "unit.deactivate": _l("Ngừng hoạt động đơn vị"),
    "unit.delete": _l("Xóa đơn vị"),
    "unit.move": _l("Chuyển đơn vị sang đơn vị cấp trên khác"),
    "unit.update": _l("Sửa đơn vị"),
    "user.create": _l("Tạo tài khoản"),
    "user.revoke_links": _l("Thu hồi đường dẫn đăng nhập"),
    "user.sign_out": _l("Đăng xuất trên mọi thiết bị"),
    "user.update": _l("Sửa tài khoản"),
}

# What each kind of object is called (``AuditEntry.object_type`` is the table's name).
OBJECT_TYPES: dict[str, Any] = {
    "api_tokens": _l("Khóa truy cập API"),
    "calendar_exceptions": _l("Ngày trong lịch làm việc"),
    "commitments": _l("Nhiệm vụ"),
    "dialogue_sessions": _l("Buổi đối thoại"),
    "document_drafts": _l("Dự thảo văn bản"),
    "import": _l("Tệp nhập danh sách"),
    "invitations": _l("Giấy mời"),
    "published_documents": _l("Văn bản đã ban hành"),
    "questions": _l("Ý kiến"),
    "responses": _l("Phần trả lời"),
    "speakers": _l("Lượt phát biểu"),
    "units": _l("Đơn vị"),
    "users": _l("Tài khoản"),
}

_STATUS = _l("Trạng thái")
_KIND = _l("Loại")
_BEGIN = _l("Bắt đầu lúc")

# Every field, by its name; ``OBJECT_FIELDS`` says it differently for one kind of object.
FIELDS: dict[str, Field] = {
    "number": Field(_l("Số văn bản"), "text"),
    "period": Field(_l("Kỳ báo cáo"), "text"),
    "signer": Field(_l("Người ký"), "text"),
    "signing": Field(_l("Thể thức ký"), "text"),
    "symbol": Field(_l("Ký hiệu"), "text"),
    "superior_body": Field(_l("Cơ quan cấp trên"), "text"),
    "values": Field(_l("Thông số thể thức"), "sections"),
    "active": Field(_l("Đang hoạt động"), "bool"),
    "allow_support": Field(_l("Cho phép đồng tình với ý kiến"), "bool"),
    "assignee_id": Field(_l("Người được phân công"), "user"),
    "begin_time": Field(_BEGIN, "datetime"),
    "body": Field(_l("Nội dung"), "text"),
    "cancel_reason": Field(_l("Lý do hủy"), "text"),
    "cells_created": Field(_l("Số chi bộ được tạo"), "number"),
    "checked_in_at": Field(_l("Điểm danh lúc"), "datetime"),
    "created": Field(_l("Số người được tạo"), "number"),
    "day": Field(_l("Ngày"), "date"),
    "draft_revision": Field(_l("Lần lưu của dự thảo"), "number"),
    "due_date": Field(_l("Thời hạn"), "date"),
    "duplicate_of_id": Field(_l("Gộp vào ý kiến"), "question"),
    "email": Field(_l("Thư điện tử"), "text"),
    "end_time": Field(_l("Kết thúc lúc"), "datetime"),
    "ends_at": Field(_l("Kết thúc lúc"), "datetime"),
    "fields": Field(_l("Nội dung văn bản"), "sections"),
    "file": Field(_l("Tệp"), "text"),
    "host_ids": Field(_l("Người chủ trì"), "users"),
    "host_unit_id": Field(_l("Đơn vị tổ chức"), "unit"),
    "invited": Field(_l("Số người được mời"), "number"),
    "invited_unit_ids": Field(_l("Đơn vị được mời"), "units"),
    "kind": Field(_KIND, "text"),
    "link_only": Field(_l("Chỉ dùng như khách mời (tạo từ đường dẫn cá nhân)"), "bool"),
    "link_version": Field(_l("Số lần đổi đường dẫn đăng nhập"), "number"),
    "name": Field(_l("Tên"), "text"),
    "new_speakers_first": Field(_l("Ưu tiên người chưa phát biểu"), "bool"),
    "note": Field(_l("Ghi chú"), "text"),
    "original_due_date": Field(_l("Thời hạn ban đầu"), "date"),
    "parent_id": Field(_l("Đơn vị cấp trên"), "unit"),
    "pause_time": Field(_l("Tạm dừng lúc"), "datetime"),
    "paused_seconds": Field(_l("Thời gian tạm dừng"), "seconds"),
    "phone": Field(_l("Số điện thoại"), "text"),
    "position": Field(_l("Thứ tự"), "number"),
    "positions": Field(_l("Thứ tự trong chương trình"), "positions"),
    "prefix": Field(_l("Phần đầu của khóa"), "text"),
    "priority": Field(_l("Mức ưu tiên"), "labels", labels="priority"),
    "progress": Field(_l("Tiến độ"), "percent"),
    "projector": Field(
        _l("Màn hình chiếu"), "choice", choices={"reset": _l("Đường dẫn cũ hết hiệu lực, đã cấp đường dẫn mới")}
    ),
    "question_id": Field(_l("Ý kiến"), "question"),
    "question_ids": Field(_l("Các ý kiến được trả lời"), "questions"),
    "questions_close_at": Field(_l("Hạn gửi ý kiến"), "datetime"),
    "queue_open": Field(_l("Đang nhận đăng ký phát biểu"), "bool"),
    "reason": Field(_l("Lý do"), "text"),
    "referred_to": Field(_l("Chuyển đến cơ quan"), "text"),
    "responder_id": Field(_l("Người trả lời"), "user"),
    "result_report": Field(_l("Báo cáo kết quả"), "text"),
    "revision": Field(_l("Lần lưu"), "number"),
    "revoked": Field(_l("Đã thu hồi"), "bool"),
    "roles": Field(_l("Vai trò"), "roles"),
    "rsvp": Field(_l("Trả lời giấy mời"), "labels", labels="rsvp"),
    "seconds_allowed": Field(_l("Thời gian được phát biểu"), "seconds"),
    "self": Field(_l("Tự điểm danh"), "bool"),
    "sent": Field(_l("Số người được nhắc"), "number"),
    "session_id": Field(_l("Buổi đối thoại"), "session"),
    "session_version": Field(_l("Số lần kết thúc các phiên đăng nhập"), "number"),
    "speaker_id": Field(_l("Lượt phát biểu"), "speaker"),
    "starts_at": Field(_BEGIN, "datetime"),
    "status": Field(_STATUS, "text"),
    "summary": Field(_l("Tóm tắt nội dung phát biểu"), "text"),
    "supported": Field(_l("Đồng tình"), "bool"),
    "term": Field(_l("Nhiệm kỳ"), "text"),
    "title": Field(_l("Tiêu đề"), "text"),
    "topic": Field(_l("Chủ đề"), "text"),
    "turn_seconds": Field(_l("Thời gian mỗi lượt phát biểu"), "seconds"),
    "unchanged": Field(_l("Số người không đổi"), "number"),
    "unit_id": Field(_l("Đơn vị"), "unit"),
    "updated": Field(_l("Số người được cập nhật"), "number"),
    "user_id": Field(_l("Người"), "user"),
    "venue": Field(_l("Địa điểm"), "text"),
    "verified_at": Field(_l("Xác nhận lúc"), "datetime"),
    "version": Field(_l("Phiên bản"), "number"),
}

OBJECT_FIELDS: dict[tuple[str, str], Field] = {
    ("api_tokens", "user_id"): Field(_l("Chủ khóa"), "user"),
    ("calendar_exceptions", "kind"): Field(
        _KIND, "choice", choices={"day_off": _l("Ngày nghỉ"), "working_day": _l("Ngày làm việc")}
    ),
    ("commitments", "status"): Field(_STATUS, "labels", labels="commitment_status"),
    ("commitments", "unit_id"): Field(_l("Đơn vị chủ trì thực hiện"), "unit"),
    ("dialogue_sessions", "status"): Field(_STATUS, "labels", labels="session_status"),
    ("invitations", "email"): Field(_l("Gửi qua thư điện tử"), "bool"),
    ("invitations", "user_id"): Field(_l("Người được mời"), "user"),
    ("questions", "kind"): Field(_l("Loại ý kiến"), "labels", labels="question_kind"),
    ("questions", "status"): Field(_STATUS, "labels", labels="question_status"),
    ("responses", "kind"): Field(_l("Hình thức trả lời"), "labels", labels="response_kind"),
    ("speakers", "status"): Field(_STATUS, "labels", labels="speaker_status"),
    ("speakers", "user_id"): Field(_l("Người phát biểu"), "user"),
    ("units", "kind"): Field(_l("Cấp, loại đơn vị"), "labels", labels="unit_kind"),
    ("users", "unit_id"): Field(_l("Thuộc đơn vị"), "unit"),
}

# The parts of a document's draft (``fields`` of ``document.*.save``), as the editor names them.
SECTIONS: dict[str, Any] = {
    "clerk": _l("Thư ký (họ tên)"),
    "closing": _l("Bế mạc"),
    "conclusions": _l("Kết luận của đồng chí chủ trì"),
    "number": _l("Số văn bản"),
    "opening": _l("Khai mạc"),
    "place": _l("Địa danh ghi trước ngày tháng"),
    "recipients": _l("Nơi nhận"),
    "signer": _l("Người ký"),
    "summaries": _l("Tóm tắt lượt phát biểu"),
    "officials": _l("Đại biểu, lãnh đạo dự"),
    "chair_conclusions": _l("Kết luận của đồng chí chủ trì"),
    "approval": _l("Thông qua biên bản"),
    "subject": _l("Trích yếu"),
    "absence_reasons": _l("Lý do vắng mặt"),
    "cooperating": _l("Đơn vị phối hợp"),
    "assessment": _l("Đánh giá"),
    **{
        name: label
        for name, label in (
            ("margin_top_mm", _l("Lề trên (mm)")),
            ("margin_bottom_mm", _l("Lề dưới (mm)")),
            ("margin_left_mm", _l("Lề trái (mm)")),
            ("margin_right_mm", _l("Lề phải (mm)")),
            ("font", _l("Phông chữ")),
            ("size_party", _l("Cỡ chữ “ĐẢNG CỘNG SẢN VIỆT NAM”")),
            ("size_place_date", _l("Cỡ chữ địa danh, ngày tháng")),
            ("size_superior", _l("Cỡ chữ tên cơ quan cấp trên")),
            ("size_issuer", _l("Cỡ chữ tên cơ quan ban hành")),
            ("size_number", _l("Cỡ chữ số, ký hiệu")),
            ("size_type", _l("Cỡ chữ tên loại văn bản")),
            ("size_subject", _l("Cỡ chữ trích yếu")),
            ("size_body", _l("Cỡ chữ nội dung")),
            ("size_table", _l("Cỡ chữ trong bảng")),
            ("size_wide_table", _l("Cỡ chữ trong bảng nhiều cột (trang ngang)")),
            ("size_signing", _l("Cỡ chữ thể thức ký, chức vụ, họ tên người ký")),
            ("size_recipients_label", _l("Cỡ chữ “Nơi nhận:”")),
            ("size_recipients", _l("Cỡ chữ danh sách nơi nhận")),
            ("size_page_number", _l("Cỡ chữ số trang")),
            ("line_spacing", _l("Giãn dòng (lần)")),
            ("space_after_pt", _l("Khoảng cách sau đoạn (pt)")),
            ("first_line_indent_mm", _l("Thụt đầu dòng (mm)")),
            ("page_number_position", _l("Vị trí số trang")),
            ("root_superior_body", _l("Cơ quan cấp trên của đơn vị ở gốc cây tổ chức (để trống nếu không ghi)")),
            ("current_term", _l("Nhiệm kỳ hiện tại (đánh số văn bản khi buổi đối thoại không ghi nhiệm kỳ)")),
            ("default_collective", _l("Tập thể ký thay mặt (T/M) mặc định")),
        )
    },
}


def action_words(action: str) -> str:
    """The action in words; an action nobody gave words to yet shows its code rather than nothing."""
    words = ACTIONS.get(action)
    return str(words) if words is not None else action


def object_type_words(object_type: str) -> str:
    words = OBJECT_TYPES.get(object_type)
    return str(words) if words is not None else object_type


def field_words(object_type: str, name: str) -> Field:
    """How ``name`` is said for an object of ``object_type``."""
    found = OBJECT_FIELDS.get((object_type, name)) or FIELDS.get(name)
    return found if found is not None else Field(name, "text")
