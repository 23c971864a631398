"""Forms of the committee pages: the overview filter, an election with its candidates, a postponement."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory

from tianping.activities.models import Activity
from tianping.committees.actions import CandidateIn
from tianping.committees.models import Post
from tianping.lib.pickers import org_pick_field
from tianping.orgs.models import Org

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Rows the election form offers at first; "?rows=N" offers more, up to the most a form takes.
CANDIDATE_ROWS = 8
MAX_CANDIDATE_ROWS = 40


class OverviewFilterForm(forms.Form):
    org = org_pick_field(
        label="组织",
        queryset=Org.objects.none(),
        required=False,
    )
    on = forms.DateField(label="日期", required=False, widget=DATE_WIDGET)
    alerts = forms.BooleanField(label="只看有提醒的", required=False)

    def __init__(self, orgs: QuerySet[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = orgs


class ElectionForm(forms.Form):
    held_on = forms.DateField(label="选举日期", widget=DATE_WIDGET)
    congress = forms.ModelChoiceField(
        label="对应的支部党员大会",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="（不关联）",
        help_text="已记录为召开的本组织支部党员大会；会议日期须与选举日期一致",
    )
    present = forms.IntegerField(
        label="实到有选举权的党员人数", required=False, min_value=0, max_value=10000
    )
    early_approved_by = forms.CharField(
        label="提前换届批准机关（文件）",
        max_length=100,
        required=False,
        help_text="本届任期届满前换届的须经上级党组织批准，最多提前1年；按期换届不填",
    )
    early_approved_on = forms.DateField(
        label="提前换届批准日期", required=False, widget=DATE_WIDGET
    )
    early_reason = forms.CharField(label="提前换届原因", max_length=200, required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, congresses: QuerySet[Activity], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["congress"]
        field.queryset = congresses  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.on:%Y-%m-%d} {a.title}"  # type: ignore[attr-defined]


class CandidateForm(forms.Form):
    employee_no = forms.CharField(
        label="工号",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"list": "full-members", "size": 10}),
    )
    votes = forms.IntegerField(
        label="得票数",
        min_value=0,
        max_value=100000,
        required=False,
        widget=forms.NumberInput(attrs={"style": "width:6rem"}),
    )
    elected = forms.BooleanField(label="当选", required=False)
    posts = forms.MultipleChoiceField(
        label="职务",
        choices=Post.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        filled = data.get("employee_no") or data.get("elected") or data.get("posts")
        if filled and data.get("votes") is None:
            self.add_error("votes", "请填写得票数")
        if data.get("votes") is not None and not data.get("employee_no"):
            self.add_error("employee_no", "请填写工号")
        return data

    def candidate(self) -> CandidateIn | None:
        data = self.cleaned_data
        if not data.get("employee_no"):
            return None
        return CandidateIn(
            employee_no=data["employee_no"],
            votes=data.get("votes") or 0,
            elected=bool(data.get("elected")),
            posts=tuple(data.get("posts") or ()),
        )


def candidate_formset(rows: int) -> type[forms.BaseFormSet]:
    """A formset offering `rows` blank candidate lines (a posted form keeps its own count)."""
    rows = max(1, min(rows, MAX_CANDIDATE_ROWS))
    return formset_factory(
        CandidateForm,
        extra=rows,
        max_num=MAX_CANDIDATE_ROWS,
        absolute_max=MAX_CANDIDATE_ROWS,
        validate_max=True,
    )


class PostponeForm(forms.Form):
    postponed_to = forms.DateField(
        label="延期至",
        widget=DATE_WIDGET,
        help_text="最多延期1年（《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》）",
    )
    approved_by = forms.CharField(
        label="批准机关", max_length=100, help_text="如：中共××市委政法委员会"
    )
    approved_on = forms.DateField(label="批准日期", widget=DATE_WIDGET)
    reason = forms.CharField(label="延期原因", max_length=200, required=False)


class SettingForm(forms.Form):
    primary_committee_min = forms.IntegerField(
        label="成立基层党委的党员人数下限",
        min_value=51,
        max_value=500,
        help_text="《中国共产党章程》第三十条、《中国共产党党和国家机关基层组织工作条例》：党员达到此数应成立基层党委。对“100人”理解不同的，填101表示“超过100人”",
    )
