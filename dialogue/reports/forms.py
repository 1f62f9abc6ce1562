"""Forms of the documents' editor and of the statistics' period."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import Length, NumberRange, Optional

from .periods import PERIOD_KINDS


class MinutesForm(FlaskForm):
    revision = HiddenField()
    place = StringField(_l("Địa danh ghi trước ngày tháng"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Số văn bản"), validators=[Optional(), Length(max=60)])
    clerk = StringField(_l("Thư ký (họ tên)"), validators=[Optional(), Length(max=200)])
    opening = TextAreaField(_l("Khai mạc"), validators=[Optional(), Length(max=20000)])
    closing = TextAreaField(_l("Bế mạc"), validators=[Optional(), Length(max=20000)])


class ConclusionForm(FlaskForm):
    revision = HiddenField()
    place = StringField(_l("Địa danh ghi trước ngày tháng"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Số văn bản"), validators=[Optional(), Length(max=60)])
    conclusions = TextAreaField(_l("Kết luận của đồng chí chủ trì"), validators=[Optional(), Length(max=20000)])
    recipients = TextAreaField(_l("Nơi nhận"), validators=[Optional(), Length(max=2000)])
    signer = StringField(_l("Người ký"), validators=[Optional(), Length(max=200)])


class PublishForm(FlaskForm):
    revision = HiddenField()


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kỳ báo cáo"), choices=list(PERIOD_KINDS.items()))
    year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(2000, 2100)])
    month = SelectField(_l("Tháng"), choices=[(str(m), str(m)) for m in range(1, 13)], validators=[Optional()])
    quarter = SelectField(_l("Quý"), choices=[("1", "I"), ("2", "II"), ("3", "III"), ("4", "IV")])
    from_ = DateField(_l("Từ ngày"), validators=[Optional()], name="from")
    to = DateField(_l("Đến ngày"), validators=[Optional()])
