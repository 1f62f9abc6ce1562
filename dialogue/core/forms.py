"""The checks of ``core.inputs`` on every WTForms field of the app, bound once for all forms.

Each form of each area would otherwise have to remember them on each of its fields (and the sign-in form, the
first one anybody reaches, would be the one to forget). ``install_form_checks`` gives Flask-WTF's ``FlaskForm``
a ``Meta`` that adds, when a field is bound: the text check to every text field (several lines for a
``TextAreaField``, one line for the others: names, titles, e-mails, passwords, hidden keys), the range of days
to every date and date-time field, and the database's range to every integer field. The message lands beside
the field, and the form keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateField, DateTimeField, IntegerField, StringField, TextAreaField
from wtforms.validators import ValidationError

from .inputs import day_problem, int_problem, text_problem


class PlainText:
    """WTForms validator: text a person can type (``core.inputs.text_problem``)."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Any) -> None:
        for value in field.raw_data or ([field.data] if isinstance(field.data, str) else []):
            problem = text_problem(value, multiline=self.multiline)
            if problem:
                raise ValidationError(problem)


def _day_in_range(form: Any, field: Any) -> None:
    problem = day_problem(field.data)
    if problem:
        raise ValidationError(problem)


def _int_in_range(form: Any, field: Any) -> None:
    problem = int_problem(field.data)
    if problem:
        field.data = None  # nothing may read the number that was refused
        raise ValidationError(problem)


def check_for(field: Any) -> Callable | None:
    """The check a bound field gets, by its kind."""
    if isinstance(field, TextAreaField):
        return PlainText(multiline=True)
    if isinstance(field, StringField):
        return PlainText()
    if isinstance(field, DateField | DateTimeField):
        return _day_in_range
    if isinstance(field, IntegerField):
        return _int_in_range
    return None


def _json_formdata(data: Any) -> ImmutableMultiDict:
    """A JSON body posted to a page's form, taken as form fields only when it is an object of texts and numbers;
    anything else is an empty form (its own messages follow), never a crash."""
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str | int | float) and not isinstance(item, bool):
                    pairs.append((str(key), str(item)))
    return ImmutableMultiDict(pairs)


class CheckedMeta(FlaskForm.Meta):
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        check = check_for(field)
        if check is not None:
            field.validators = [check, *field.validators]
        return field

    def wrap_formdata(self, form, formdata):
        if self._json_post(formdata):
            try:
                return _json_formdata(request.get_json(silent=True))
            except RecursionError:
                return ImmutableMultiDict()
        return super().wrap_formdata(form, formdata)

    @staticmethod
    def _json_post(formdata) -> bool:
        from flask_wtf.form import _Auto, _is_submitted

        return formdata is _Auto and _is_submitted() and not request.files and not request.form and request.is_json


_installed = False


def install_form_checks() -> None:
    """Every ``FlaskForm`` (the app's forms all are) binds its fields through ``CheckedMeta``. Idempotent."""
    global _installed
    if _installed:
        return
    FlaskForm.Meta = CheckedMeta  # WTForms builds each form class's Meta from its bases at its first use
    _installed = True
