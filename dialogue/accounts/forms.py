from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.access import ROLES
from ..core.labels import LABELS


class LoginForm(FlaskForm):
    login = StringField(
        _l("Email hoặc số điện thoại"), validators=[DataRequired(_l("Xin nhập email hoặc số điện thoại."))]
    )
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Xin nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[Optional()])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, message=_l("Ít nhất 8 ký tự."))])
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"), validators=[EqualTo("new", message=_l("Hai mật khẩu không khớp."))]
    )


class TokenForm(FlaskForm):
    name = StringField(_l("Tên mã (để nhận ra)"), validators=[DataRequired(), Length(max=100)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    name = StringField(_l("Họ tên"), validators=[DataRequired(_l("Xin nhập họ tên.")), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=20)])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=200)])
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    roles = MultiCheckboxField(_l("Vai trò"), choices=[(r, LABELS["role"][r]) for r in ROLES])
    password = PasswordField(_l("Mật khẩu (để trống nếu không đổi)"), validators=[Optional(), Length(min=8)])
    active = BooleanField(_l("Đang hoạt động"), default=True)
