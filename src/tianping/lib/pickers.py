"""Organisation and person pickers: a text box that searches the server, never a list of the tree.

A picker is one text input. It shows its choice as "名称（代码）" (or "姓名（工号）"), and that
is what the browser sends; the field reads it back against the queryset the form was given,
so a value outside that queryset is a form error like any other. With script, typing asks
the search endpoint (HTMX) for at most `PICK_LIMIT` matches inside the user's scope; without
it, typing a code, a 工号 or an exact name still works.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from tianping.lib.script import to_simplified

# How many matches a search answers with: enough to pick from, never the tree.
PICK_LIMIT = 20
# "第一党支部（BT-JY-B01）": the name, then the code or 工号 in full-width brackets.
LABEL = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<key>[^（）()]+?)\s*[）)]$")


@dataclass(frozen=True)
class Match:
    """One line of a picker's list: what it shows, and the label the box takes."""

    name: str
    key: str
    where: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.key}）"


class PickerInput(forms.TextInput):
    """The text box and the list its search fills; site.js moves a chosen match into the box."""

    template_name = "pickers/input.html"

    def __init__(
        self,
        source: str,
        params: dict[str, str] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.source = source  # the URL name of the search endpoint
        self.params = dict(params or {})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        options_id = f"{widget['attrs'].get('id') or 'id_' + name}-options"
        query = urlencode({"field": name, **self.params})
        widget["attrs"].update(
            {
                "role": "combobox",
                "autocomplete": "off",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": options_id,
                "data-picker": "",
                "hx-get": f"{reverse(self.source)}?{query}",
                "hx-trigger": "input changed delay:250ms, focus",
                "hx-target": f"#{options_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                # Not what a surrounding form's hx- attributes say about its own requests.
                "hx-push-url": "false",
                "hx-select": "unset",
                "hx-include": "unset",
                "hx-indicator": "this",
            }
        )
        widget["attrs"].setdefault("placeholder", "输入名称、代码或拼音查找")
        widget["options_id"] = options_id
        return context


class PickerMultiInput(PickerInput):
    """Several choices: each is a checked box beside the search box; unchecking drops it."""

    template_name = "pickers/multi.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        search = f"{name}__search"  # the box itself sends nothing the form reads
        context = super().get_context(search, "", attrs)
        widget = context["widget"]
        widget["chosen_name"] = name
        widget["chosen"] = [v for v in (value or []) if v]
        widget["attrs"]["data-picker-multi"] = name
        widget["attrs"].setdefault("placeholder", "输入姓名、工号或拼音添加")
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no box checked is an empty choice, as with checkboxes

    def format_value(self, value: Any) -> Any:
        return value


class PickField(forms.ModelChoiceField):
    """A choice of one object of `queryset`, typed as its label, its key or its exact name.

    `key` is the field that tells objects apart to a person (an organisation's code, a
    工号); `name` the field shown first. The queryset is never listed: it only checks.
    """

    default_error_messages = {
        "invalid_choice": "没有找到“%(value)s”，请输入后从列表中选择",
        "ambiguous": "“%(value)s”对应多个，请从列表中选择",
    }

    def __init__(
        self,
        *,
        source: str,
        key: str,
        params: dict[str, str] | None = None,
        name: str = "name",
        queryset: models.QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", PickerInput(source, params))
        kwargs.pop("empty_label", None)
        kwargs.pop("to_field_name", None)
        super().__init__(queryset=queryset, empty_label=None, **kwargs)
        self.key = key
        self.name_field = name

    def label_from_instance(self, obj: Any) -> str:
        return f"{getattr(obj, self.name_field)}（{getattr(obj, self.key)}）"

    @property
    def _qs(self) -> models.QuerySet[Any]:
        assert self.queryset is not None  # every form sets it before it validates
        return self.queryset

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, self._qs.model):
            return value
        if isinstance(value, int):  # an initial primary key; what a browser sends is text
            return self._qs.filter(pk=value).first()
        text = str(value).strip()
        if not text:
            return None
        found = self._lookup(text)
        if len(found) == 1:
            return found[0]
        error = "ambiguous" if found else "invalid_choice"
        raise ValidationError(self.error_messages[error], code=error, params={"value": text})

    def _lookup(self, text: str) -> list[Any]:
        key = f"{self.key}__iexact"
        names = {text, to_simplified(text)}
        if match := LABEL.match(text):
            found = list(self._qs.filter(**{key: match["key"]})[:5])
            if len(found) > 1:  # one 工号 in two courts: the name tells them apart
                label_names = {match["name"], to_simplified(match["name"])}
                found = [o for o in found if getattr(o, self.name_field) in label_names]
            if found:
                return found
        by_key = list(self._qs.filter(**{key: text})[:2])
        if by_key:
            return by_key
        return list(self._qs.filter(Q(**{f"{self.name_field}__in": names}))[:2])

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, models.Model):
            return self.label_from_instance(value)
        if value in self.empty_values:
            return ""
        try:
            found = self.to_python(value)
        except ValidationError:
            return value  # shown back as typed, beside its error
        return self.label_from_instance(found) if found is not None else ""

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial)) != str(self.prepare_value(data))

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class PickMultipleField(forms.ModelMultipleChoiceField):
    """Several objects of `queryset`, each typed or picked as for `PickField`."""

    def __init__(
        self,
        *,
        source: str,
        key: str,
        params: dict[str, str] | None = None,
        name: str = "name",
        queryset: models.QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", PickerMultiInput(source, params))
        super().__init__(queryset=queryset, **kwargs)
        self.source, self.key, self.name_field = source, key, name

    def _one(self) -> PickField:
        return PickField(
            source=self.source, key=self.key, name=self.name_field, queryset=self.queryset
        )

    def clean(self, value: Any) -> Any:
        texts = [str(v).strip() for v in (value or []) if str(v).strip()]
        if not texts:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return self.queryset.none() if self.queryset is not None else []
        one = self._one()
        found = [one.to_python(text) for text in dict.fromkeys(texts)]
        assert self.queryset is not None
        return self.queryset.filter(pk__in=[o.pk for o in found])

    def prepare_value(self, value: Any) -> Any:
        if value in self.empty_values:
            return []
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            value = [value]
        return [self._one().prepare_value(v) for v in value]


def picked_key(text: str) -> str:
    """The code or 工号 a picker's text names: "第一党支部（BT-B01）" and "BT-B01" both give BT-B01."""
    text = text.strip()
    match = LABEL.match(text)
    return match["key"] if match else text


def org_pick_field(
    *, kinds: Sequence[str] | None = None, active: bool = False, **kwargs: Any
) -> PickField:
    """An organisation picker; `kinds` and `active` narrow what the search offers."""
    params = {}
    if kinds:
        params["kinds"] = ",".join(kinds)
    if active:
        params["active"] = "1"
    return PickField(source="orgs:pick", key="code", params=params, **kwargs)


def people_pick_field(*, params: dict[str, str] | None = None, **kwargs: Any) -> PickMultipleField:
    """Several people, by name, 工号 or pinyin."""
    return PickMultipleField(source="people:pick", key="employee_no", params=params, **kwargs)


def person_pick_field(*, params: dict[str, str] | None = None, **kwargs: Any) -> PickField:
    """A person picker, by name, 工号 or pinyin; `params` narrow what the search offers."""
    return PickField(source="people:pick", key="employee_no", params=params, **kwargs)
