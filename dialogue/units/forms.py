from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..core.labels import LABELS
from .models import UNIT_KINDS


class UnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Xin nhập tên đơn vị.")), Length(max=200)])
    kind = SelectField(_l("Loại"), choices=[(k, LABELS["unit_kind"][k]) for k in UNIT_KINDS])
    parent_id = SelectField(_l("Trực thuộc"), coerce=int)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Tệp danh sách (.csv hoặc .xlsx)"),
        validators=[
            FileRequired(_l("Xin chọn tệp.")),
            FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx.")),
        ],
    )


class ImportConfirmForm(FlaskForm):
    import_id = HiddenField(validators=[DataRequired()])
