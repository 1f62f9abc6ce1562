from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core.errors import DomainError
from .models import DAY_OFF, NOTE_MAX, WORKING_DAY

KIND_CHOICES = [
    (DAY_OFF, _l("Ngày nghỉ")),
    (WORKING_DAY, _l("Ngày làm bù (làm việc)")),
]


class ExceptionForm(FlaskForm):
    """The date is typed as the office writes it (dd/mm/yyyy), not picked in a browser's own date format."""

    day = StringField(
        _l("Ngày (dd/mm/yyyy)"),
        validators=[InputRequired(_l("Xin nhập ngày theo dạng dd/mm/yyyy."))],
        render_kw={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "maxlength": 10},
    )
    kind = SelectField(_l("Loại"), choices=KIND_CHOICES)
    note = StringField(
        _l("Lý do"),
        validators=[
            InputRequired(_l("Xin ghi lý do (ví dụ: theo thông báo số …, làm bù cho ngày …).")),
            Length(max=NOTE_MAX, message=_l("Lý do dài quá %(max)d ký tự.")),
        ],
        render_kw={"maxlength": NOTE_MAX},
    )

    def validate_day(self, field: StringField) -> None:
        from .services import parse_day

        try:
            self.parsed_day = parse_day(field.data)
        except DomainError as exc:
            raise ValidationError(exc.fields["day"][0]) from None
