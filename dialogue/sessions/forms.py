from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

DT_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SessionForm(FlaskForm):
    title = StringField(
        _l("Tên buổi đối thoại"), validators=[DataRequired(_l("Xin nhập tên buổi đối thoại.")), Length(max=300)]
    )
    topic = StringField(_l("Chủ đề"), validators=[DataRequired(_l("Xin nhập chủ đề.")), Length(max=300)])
    term = StringField(_l("Nhiệm kỳ"), validators=[Optional(), Length(max=50)])
    venue = StringField(_l("Địa điểm"), validators=[DataRequired(_l("Xin nhập địa điểm.")), Length(max=300)])
    starts_at = DateTimeLocalField(
        _l("Bắt đầu"), format=DT_FORMAT, validators=[InputRequired(_l("Xin chọn ngày giờ bắt đầu."))]
    )
    ends_at = DateTimeLocalField(
        _l("Kết thúc"), format=DT_FORMAT, validators=[InputRequired(_l("Xin chọn ngày giờ kết thúc."))]
    )
    questions_close_at = DateTimeLocalField(
        _l("Hạn gửi câu hỏi"), format=DT_FORMAT, validators=[InputRequired(_l("Xin chọn hạn gửi câu hỏi."))]
    )
    turn_minutes = IntegerField(
        _l("Thời gian mỗi lượt phát biểu (phút)"),
        default=5,
        validators=[InputRequired(_l("Xin nhập số phút.")), NumberRange(1, 60, _l("Từ 1 đến 60 phút."))],
    )
    host_unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=int)
    host_ids = MultiCheckboxField(_l("Người chủ trì"), coerce=int)
    invited_unit_ids = MultiCheckboxField(_l("Đơn vị được mời (mời bí thư các chi bộ trực thuộc)"), coerce=int)
    allow_support = BooleanField(_l("Cho phép khách mời ủng hộ ý kiến đã tiếp nhận"), default=True)


class AddInviteeForm(FlaskForm):
    login = StringField(
        _l("Email hoặc số điện thoại của người cần mời thêm"),
        validators=[DataRequired(_l("Xin nhập email hoặc số điện thoại.")), Length(max=254)],
    )
