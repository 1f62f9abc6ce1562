"""Forms of the documents' editor, of publishing (signing, recipients, number), of the periodic reports, of the
statistics' period, and of the office's document profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .periods import PERIOD_KINDS
from .profile import FIGURES, PAGE_NUMBER_POSITIONS

SIGNING_CHOICES = [
    ("tm", _l("T/M: người đứng đầu ký thay mặt tập thể")),
    ("kt", _l("K/T: cấp phó ký thay người đứng đầu")),
    ("tl", _l("T/L: ký thừa lệnh")),
]


class MinutesForm(FlaskForm):
    revision = HiddenField()
    place = StringField(_l("Địa danh ghi trước ngày tháng"), validators=[Optional(), Length(max=100)])
    clerk = StringField(_l("Thư ký, người ghi biên bản (họ tên)"), validators=[Optional(), Length(max=200)])
    officials = TextAreaField(
        _l("Đại biểu tham dự khác (mỗi người một dòng: họ tên, chức vụ)"), validators=[Optional(), Length(max=20000)]
    )
    opening = TextAreaField(_l("Khai mạc"), validators=[Optional(), Length(max=20000)])
    chair_conclusions = TextAreaField(
        _l("Kết luận của đồng chí chủ trì (để trống: lấy từ thông báo kết luận)"),
        validators=[Optional(), Length(max=20000)],
    )
    closing = TextAreaField(_l("Bế mạc"), validators=[Optional(), Length(max=20000)])
    approval = TextAreaField(
        _l("Câu thông qua biên bản (để trống: câu mặc định)"), validators=[Optional(), Length(max=20000)]
    )


class ConclusionForm(FlaskForm):
    revision = HiddenField()
    place = StringField(_l("Địa danh ghi trước ngày tháng"), validators=[Optional(), Length(max=100)])
    subject = StringField(_l("Trích yếu (để trống: tự động)"), validators=[Optional(), Length(max=500)])
    conclusions = TextAreaField(_l("Kết luận của đồng chí chủ trì"), validators=[Optional(), Length(max=20000)])


class PublishForm(FlaskForm):
    revision = HiddenField()
    idempotency_key = HiddenField()
    signer_id = SelectField(_l("Người ký"), coerce=int, validators=[Optional()])
    signing = SelectField(_l("Thể thức ký"), choices=SIGNING_CHOICES, default="tm")
    collective = StringField(_l("Tập thể (sau T/M, T/L)"), validators=[Optional(), Length(max=100)])
    title = StringField(_l("Chức vụ người ký"), validators=[Optional(), Length(max=100)])
    recipients = TextAreaField(_l("Nơi nhận (mỗi nơi một dòng)"), validators=[Optional(), Length(max=12000)])
    number = StringField(_l("Số văn bản (để trống: lấy số tiếp theo)"), validators=[Optional(), Length(max=10)])


class TaskForm(FlaskForm):
    """A promise made in a response, taken up as a task of the conclusion notice."""

    response_id = HiddenField(validators=[DataRequired()])
    description = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[Optional(), Length(max=5000)])
    unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=int)
    due_date = DateField(_l("Thời hạn"), validators=[DataRequired(_l("Xin chọn thời hạn."))])


class ReportForm(FlaskForm):
    revision = HiddenField()
    term = StringField(_l("Nhiệm kỳ (đánh số báo cáo; để trống: nhiệm kỳ hiện tại)"), validators=[Optional()])
    assessment = TextAreaField(_l("Đánh giá chung"), validators=[Optional(), Length(max=20000)])
    shortcomings = TextAreaField(_l("Hạn chế, nguyên nhân"), validators=[Optional(), Length(max=20000)])
    directions = TextAreaField(_l("Phương hướng, nhiệm vụ thời gian tới"), validators=[Optional(), Length(max=20000)])
    proposals = TextAreaField(_l("Đề xuất, kiến nghị"), validators=[Optional(), Length(max=20000)])


class OpenReportForm(FlaskForm):
    unit_id = HiddenField()
    kind = HiddenField()
    year = HiddenField()
    month = HiddenField()
    quarter = HiddenField()
    from_ = HiddenField(name="from")
    to = HiddenField()


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị ban hành"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Kỳ báo cáo"), choices=list(PERIOD_KINDS.items()))
    year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(2000, 2100)])
    month = SelectField(_l("Tháng"), choices=[(str(m), str(m)) for m in range(1, 13)], validators=[Optional()])
    quarter = SelectField(_l("Quý"), choices=[("1", "I"), ("2", "II"), ("3", "III"), ("4", "IV")])
    from_ = DateField(_l("Từ ngày"), validators=[Optional()], name="from")
    to = DateField(_l("Đến ngày"), validators=[Optional()])


class IssuerForm(FlaskForm):
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    symbol = StringField(_l("Chữ viết tắt trong ký hiệu (HU, ĐU, TU…; để trống: theo tên)"), validators=[Optional()])
    superior_body = StringField(
        _l("Cơ quan cấp trên ghi ở đầu văn bản (để trống: theo cây tổ chức)"), validators=[Optional()]
    )


def profile_form_class() -> type[FlaskForm]:
    """The profile's form, one field per figure of ``profile.FIGURES``."""
    attrs: dict = {"revision": HiddenField()}
    for name, figure in FIGURES.items():
        if figure.choices:
            attrs[name] = SelectField(figure.label, choices=list(PAGE_NUMBER_POSITIONS.items()))
        elif isinstance(figure.default, (int, float)):
            # Checked by the service (bounds, Vietnamese messages); "1,15" and "1.15" both read as a number.
            attrs[name] = StringField(
                figure.label, validators=[Optional(), Length(max=12)], render_kw={"inputmode": "decimal"}
            )
        else:
            attrs[name] = StringField(figure.label, validators=[Optional(), Length(max=figure.max_length)])
    return type("ProfileForm", (FlaskForm,), attrs)
