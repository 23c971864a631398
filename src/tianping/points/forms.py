"""Forms for points: a hand entry, a veto, a reversal, a court's rules and settings."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from tianping.lib.sheets import employee_no_q
from tianping.people.models import Person
from tianping.points.models import PointRule, PointScheme

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonByNumberField(forms.CharField):
    """A person named by 工号, found only among the people the user may see."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", "工号")
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.people: QuerySet[Person] = Person.objects.none()

    def clean(self, value):
        number = super().clean(value).strip().upper()
        found = list(self.people.filter(employee_no_q(number)).select_related("court")[:2])
        if not found:
            raise forms.ValidationError(f"在您的管理范围内找不到工号为“{number}”的人员")
        if len(found) > 1:
            raise forms.ValidationError(
                f"工号“{number}”在多个法院都有，请从该人员的积分页面进入后再录入"
            )
        return found[0]


class _PersonForm(forms.Form):
    person = PersonByNumberField()

    def __init__(self, people: QuerySet[Person], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonByNumberField, self.fields["person"]).people = people


class ManualEntryForm(_PersonForm):
    """R4.3: a hand entry names its reason; the person who posts it is recorded."""

    points = forms.DecimalField(
        label="分值",
        max_digits=6,
        decimal_places=2,
        help_text="加分填正数，减分填负数，如 2 或 -1.5",
    )
    reason = forms.CharField(
        label="事由",
        max_length=180,
        widget=forms.TextInput(attrs={"placeholder": "如：撰写的理论文章获市级表彰"}),
    )
    on = forms.DateField(label="日期", widget=DATE_WIDGET)

    def __init__(self, people: QuerySet[Person], *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(people, *args, **kwargs)

    def clean_points(self) -> Decimal:
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError("分值不能为0")
        return points


class VetoForm(_PersonForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    reason = forms.CharField(
        label="否决事由",
        max_length=180,
        widget=forms.TextInput(attrs={"placeholder": "如：受到党纪处分"}),
    )
    confirm = forms.BooleanField(
        label="我已核实：一票否决后该党员本年度积分记为0分",
        error_messages={"required": "请确认一票否决的后果"},
    )

    def __init__(self, people: QuerySet[Person], *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(people, *args, **kwargs)


class ReverseForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="冲销事由", max_length=180)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = PointScheme
        fields = ["base", "rankings_for_secretaries"]
        help_texts = {
            "rankings_for_secretaries": "默认关闭。开启后，支部书记可在本支部积分页看到排名；"
            "党员本人始终只看到自己的积分。",
        }


class RuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = ["points", "per_hours", "cap", "cap_period", "active"]
        widgets = {
            "points": forms.NumberInput(attrs={"step": "0.5", "class": "narrow"}),
            "per_hours": forms.NumberInput(attrs={"step": "0.5", "class": "narrow"}),
            "cap": forms.NumberInput(attrs={"step": "0.5", "class": "narrow"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cap_period"]).choices = [
            ("", "—"),
            ("year", "每年"),
            ("month", "每月"),
        ]
        if self.instance.trigger != "volunteer_hours":
            self.fields["per_hours"].disabled = True
