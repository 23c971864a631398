"""党费 forms: the pay-sheet upload, a payment, a void, a base, an excuse, the court setting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from tianping.dues.rules import DuesCategory, Rounding, fen_of, month_code, parse_month
from tianping.lib import uploads


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.CharField):
    """A month written YYYY-MM (the browser's month input), cleaned to its first day."""

    widget = MonthInput(attrs={"placeholder": "2024-03"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = "请填写金额，如97.50"
        self.error_messages["max_decimal_places"] = "金额最多两位小数"


class UploadForm(uploads.SheetUploadForm):
    """The pay sheet of one court for one month: the month is kept with the held upload."""

    file_label = "工资表"
    file_help = "Excel工作簿（.xlsx），表头含工号、姓名、月基数、人员状态，可有标题行"
    field_order = ["court", "month", "file"]

    month = MonthField(
        label="月份",
        help_text="工资表对应的月份；新基数自该月起执行（中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》）",
    )

    def params(self) -> dict[str, str]:
        return {"month": month_code(self.cleaned_data["month"])}


class PaymentForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    month = MonthField(label="月份")
    through = MonthField(label="至", required=False, help_text="补交多个月时填写截止月份")
    amount = MoneyField(
        label="金额（元）", required=False, min_value=Decimal("0.01"), help_text="留空按应交金额"
    )
    paid_on = forms.DateField(label="交纳日期", widget=forms.DateInput(attrs={"type": "date"}))
    payer = forms.CharField(
        label="代缴人工号", required=False, max_length=30, help_text="他人代缴时填写"
    )
    note = forms.CharField(label="备注", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("paid_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        first, last = data.get("month"), data.get("through")
        if first and last and last < first:
            self.add_error("through", "截止月份不能早于起始月份")
        return data

    def amount_fen(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return fen_of(amount) if amount is not None else None


class VoidForm(forms.Form):
    payment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="作废原因", max_length=200)


class BaseForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    since = MonthField(label="起始月份")
    base = MoneyField(label="月基数（元）", min_value=Decimal("0"))
    category = forms.ChoiceField(label="人员状态", choices=DuesCategory.choices)

    def base_fen(self) -> int:
        return fen_of(self.cleaned_data["base"])


class ExcuseForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    first_month = MonthField(label="起始月份")
    last_month = MonthField(label="截止月份", required=False, help_text="留空表示至今")
    reason = forms.CharField(label="原因", max_length=200)


class SettingForm(forms.Form):
    rounding = forms.ChoiceField(
        label="分以下处理",
        choices=Rounding.choices,
        help_text="中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》：默认四舍五入到分",
    )
