"""The response form of the clerk's console, with an optional commitment recorded at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.labels import LABELS
from ..followups.models import PRIORITIES
from .models import RESPONSE_KINDS

LIVE_KINDS = tuple(k for k in RESPONSE_KINDS if k != "written")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ResponseForm(FlaskForm):
    idempotency_key = HiddenField()
    kind = SelectField(
        _l("Hình thức trả lời"), choices=[(k, LABELS["response_kind"][k]) for k in RESPONSE_KINDS], default="answered"
    )
    speaker_id = SelectField(_l("Trả lời lượt phát biểu"), coerce=int, validators=[Optional()])
    question_ids = MultiCheckboxField(_l("Trả lời các câu hỏi"), coerce=int, validators=[Optional()])
    responder_id = SelectField(_l("Người trả lời"), coerce=int, validators=[Optional()])
    text = TextAreaField(
        _l("Nội dung trả lời"),
        validators=[DataRequired(_l("Xin nhập nội dung trả lời.")), Length(max=20000)],
    )
    referred_to = StringField(_l("Cơ quan chức năng được chuyển đến"), validators=[Optional(), Length(max=300)])
    add_commitment = BooleanField(_l("Giao nhiệm vụ từ ý kiến này"))
    c_description = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[Optional(), Length(max=5000)])
    c_unit_id = SelectField(_l("Đơn vị chủ trì thực hiện"), coerce=int, validators=[Optional()])
    c_due_date = DateField(_l("Thời hạn"), validators=[Optional()])
    c_priority = SelectField(
        _l("Mức ưu tiên"), choices=[(p, LABELS["priority"][p]) for p in PRIORITIES], default="normal"
    )
