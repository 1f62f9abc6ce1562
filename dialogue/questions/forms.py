from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.labels import LABELS
from .models import QUESTION_KINDS
from .services import MAX_BODY


class QuestionForm(FlaskForm):
    kind = RadioField(
        _l("Loại"),
        choices=[(k, LABELS["question_kind"][k]) for k in QUESTION_KINDS],
        default="question",
        validators=[InputRequired(_l("Xin chọn loại ý kiến."))],
    )
    topic = StringField(_l("Chủ đề"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(
        _l("Nội dung"),
        validators=[DataRequired(_l("Xin nhập nội dung.")), Length(max=MAX_BODY, message=_l("Nội dung quá dài."))],
    )
    attachment = FileField(_l("Tệp đính kèm (không bắt buộc): PDF hoặc ảnh JPEG, PNG, tối đa 5 MB"))
    remove_attachment = BooleanField(_l("Bỏ tệp đính kèm hiện có"))
    idempotency_key = HiddenField()


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do trả lại (người gửi sẽ thấy)"),
        validators=[DataRequired(_l("Xin ghi lý do trả lại.")), Length(max=2000)],
    )


class MergeForm(FlaskForm):
    into_id = IntegerField(
        _l("Gộp vào ý kiến số"), validators=[InputRequired(_l("Xin nhập số của ý kiến được giữ lại.")), NumberRange(1)]
    )


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Người trả lời"), coerce=int)


class PositionForm(FlaskForm):
    position = IntegerField(_l("Thứ tự"), validators=[InputRequired(), NumberRange(1, 100000)])
