"""An action's ValidationError, as a form, a page's message and the API show it."""

from django import forms
from django.core.exceptions import ValidationError

from tianping.lib.errors import add_errors, error_lists, error_text


class TitleForm(forms.Form):
    title = forms.CharField()


def test_an_error_naming_a_field_is_shown_beside_it_and_any_other_above_the_form():
    form = TitleForm({"title": "支部党员大会"})
    assert form.is_valid()
    add_errors(form, ValidationError({"title": "标题重复", "status": "已取消的活动不能修改"}))
    assert form.errors["title"] == ["标题重复"]
    assert form.non_field_errors() == ["已取消的活动不能修改"]


def test_an_error_naming_no_field_is_shown_above_the_form():
    form = TitleForm({"title": "支部党员大会"})
    assert form.is_valid()
    add_errors(form, ValidationError(["密码过短", "密码过于常见"]))
    assert form.non_field_errors() == ["密码过短", "密码过于常见"]
    assert "title" not in form.errors


def test_the_api_and_a_message_read_the_same_messages_in_order():
    error = ValidationError({"on": ["日期无效"], "title": ["此项不能为空"]})
    assert error_lists(error) == {"on": ["日期无效"], "title": ["此项不能为空"]}
    assert error_text(error) == "日期无效；此项不能为空"
    assert error_lists(ValidationError("年度无效")) == {"__all__": ["年度无效"]}
    form = TitleForm({})
    assert not form.is_valid()
    assert error_text(form.errors) == form.errors["title"][0] != ""
