from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.labels import LABELS
from .models import PRIORITIES

REQUIRED = _l("Bắt buộc.")
BAD_DATE = _l("Ngày không hợp lệ (dd/mm/yyyy).")


class CommitmentForm(FlaskForm):
    """A new commitment, typed directly by the organizer, a host or the secretariat."""

    idempotency_key = HiddenField()
    description = TextAreaField(
        _l("Nội dung nhiệm vụ"), validators=[DataRequired(_l("Xin nhập nội dung nhiệm vụ.")), Length(max=5000)]
    )
    unit_id = SelectField(_l("Đơn vị chủ trì thực hiện"), coerce=int, validators=[DataRequired(REQUIRED)])
    assignee_id = SelectField(_l("Người được giao (không bắt buộc)"), coerce=int, validators=[Optional()])
    due_date = DateField(_l("Thời hạn"), validators=[InputRequired(BAD_DATE)])
    priority = SelectField(
        _l("Mức ưu tiên"), choices=[(p, LABELS["priority"][p]) for p in PRIORITIES], default="normal"
    )
    session_id = HiddenField()
    question_id = HiddenField()
    response_id = HiddenField()


class UpdateForm(FlaskForm):
    note = TextAreaField(
        _l("Nội dung cập nhật"), validators=[DataRequired(_l("Xin nhập nội dung cập nhật.")), Length(max=5000)]
    )
    progress = IntegerField(
        _l("Tiến độ (%)"),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Tiến độ phải là số từ 0 đến 100."))],
    )
    attachment = FileField(_l("Tệp đính kèm (không bắt buộc)"))


class DoneForm(FlaskForm):
    report = TextAreaField(
        _l("Báo cáo kết quả thực hiện"),
        validators=[DataRequired(_l("Xin nhập báo cáo kết quả thực hiện.")), Length(max=5000)],
    )
    attachment = FileField(_l("Tệp báo cáo (không bắt buộc)"))


class VerifyForm(FlaskForm):
    note = TextAreaField(_l("Nhận xét (không bắt buộc)"), validators=[Optional(), Length(max=5000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(_l("Xin nêu lý do.")), Length(max=5000)])


class ExtendForm(FlaskForm):
    due_date = DateField(_l("Thời hạn mới"), validators=[InputRequired(BAD_DATE)])
    reason = TextAreaField(
        _l("Lý do gia hạn"), validators=[DataRequired(_l("Xin nêu lý do gia hạn.")), Length(max=5000)]
    )


class WrittenAnswerForm(FlaskForm):
    """Answering one submission after the session: in writing, or by referring it to the competent body; with an
    optional commitment."""

    idempotency_key = HiddenField()
    question_id = HiddenField(validators=[DataRequired()])
    kind = SelectField(
        _l("Hình thức"),
        choices=[("written", LABELS["response_kind"]["written"]), ("referred", LABELS["response_kind"]["referred"])],
        default="written",
    )
    text = TextAreaField(
        _l("Nội dung trả lời"), validators=[DataRequired(_l("Xin nhập nội dung trả lời.")), Length(max=20000)]
    )
    referred_to = TextAreaField(_l("Chuyển đến cơ quan"), validators=[Optional(), Length(max=300)])
    commitment_description = TextAreaField(
        _l("Giao nhiệm vụ (không bắt buộc)"), validators=[Optional(), Length(max=5000)]
    )
    commitment_unit_id = SelectField(_l("Đơn vị chủ trì thực hiện"), coerce=int, validators=[Optional()])
    commitment_due_date = DateField(_l("Thời hạn"), validators=[Optional()])
