"""The words shown for stored codes (roles, kinds, states), in one place, translated."""

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    "role": {
        "admin": _l("Quản trị hệ thống"),
        "organizer": _l("Tổ chức (Văn phòng)"),
        "host": _l("Chủ trì"),
        "secretary": _l("Bí thư chi bộ"),
        "secretariat": _l("Theo dõi, đôn đốc"),
        "unit": _l("Đơn vị thực hiện"),
    },
    "unit_kind": {
        "province": _l("Tỉnh ủy / Đảng bộ tỉnh"),
        "district": _l("Huyện ủy / Đảng bộ huyện"),
        "grassroots": _l("Đảng ủy cơ sở"),
        "cell": _l("Chi bộ"),
        "group": _l("Tổ đảng"),
    },
    "session_status": {
        "draft": _l("Bản nháp"),
        "open": _l("Đang nhận câu hỏi"),
        "closed": _l("Đã hết hạn gửi câu hỏi"),
        "live": _l("Đang diễn ra"),
        "ended": _l("Đã kết thúc"),
    },
    "rsvp": {
        "pending": _l("Chưa trả lời"),
        "accepted": _l("Sẽ tham dự"),
        "declined": _l("Không tham dự"),
    },
    "question_kind": {
        "question": _l("Câu hỏi"),
        "opinion": _l("Ý kiến"),
        "recommendation": _l("Kiến nghị"),
        "proposal": _l("Đề xuất"),
    },
    "question_status": {
        "submitted": _l("Chờ duyệt"),
        "accepted": _l("Đã tiếp nhận"),
        "returned": _l("Trả lại"),
        "merged": _l("Đã gộp"),
        "answered": _l("Đã trả lời"),
        "withdrawn": _l("Đã rút"),
    },
    "speaker_status": {
        "waiting": _l("Đang chờ"),
        "speaking": _l("Đang phát biểu"),
        "finished": _l("Đã phát biểu"),
        "withdrawn": _l("Đã rút"),
    },
    "response_kind": {
        "answered": _l("Giải đáp, trả lời"),
        "taken_on_board": _l("Tiếp thu"),
        "referred": _l("Chuyển cơ quan chức năng"),
        "written": _l("Trả lời bằng văn bản"),
    },
    "commitment_status": {
        "assigned": _l("Đã giao"),
        "in_progress": _l("Đang thực hiện"),
        "done": _l("Đã hoàn thành"),
        "verified": _l("Đã xác nhận"),
        "cancelled": _l("Đã hủy"),
    },
    "priority": {"low": _l("Thấp"), "normal": _l("Bình thường"), "high": _l("Cao")},
}


def label(group: str, code: str | None) -> str:
    if code is None:
        return ""
    return str(LABELS.get(group, {}).get(code, code))
