"""Forms for the roster: list filters, a person's record, transfers and branch merges."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from tianping.lib.pickers import org_pick_field
from tianping.lib.sheets import clean_code
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Category, Person, PersonStatus, PoliticalStatus, PostLevel
from tianping.people.terms import OPEN_COLUMNS, own_terms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The organisations a roster is filtered by: a court and what its people belong to.
ROSTER_ORG_KINDS = [
    OrgKind.HIGH_COURT,
    OrgKind.MID_COURT,
    OrgKind.BASIC_COURT,
    OrgKind.PARTY_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
]


def _optional_org(label: str, kind: OrgKind, **kwargs: Any) -> Any:
    """An optional picker of one active organisation of `kind`; each form narrows the
    queryset to the user's scope."""
    return org_pick_field(
        label=label,
        kinds=[kind],
        active=True,
        queryset=Org.objects.none(),
        required=False,
        **kwargs,
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、工号或拼音（全拼、首字母均可）"}),
    )
    org = org_pick_field(
        label="单位/组织",
        kinds=ROSTER_ORG_KINDS,
        queryset=Org.objects.none(),
        required=False,
    )
    department = _optional_org("部门", OrgKind.DEPARTMENT)
    category = forms.ChoiceField(
        label="人员类别", choices=[("", "全部"), *Category.choices], required=False
    )
    political_status = forms.ChoiceField(
        label="政治面貌", choices=[("", "全部"), *PoliticalStatus.choices], required=False
    )
    post_level = forms.ChoiceField(
        label="职务层级", choices=[("", "全部"), *PostLevel.choices], required=False
    )
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *PersonStatus.choices], required=False
    )

    def __init__(self, visible_orgs, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = visible_orgs.filter(
            kind__in=ROSTER_ORG_KINDS
        )
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = visible_orgs.filter(
            kind=OrgKind.DEPARTMENT, is_active=True
        )


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "employee_no",
            "name",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "category",
            "post_level",
            "title",
            "judge_grade",
            "police_rank",
            "civil_rank",
            "native_place",
            "degree",
            "work_started_on",
            "joined_court_on",
            "political_status",
            "party_joined_on",
            "full_member_on",
            "status",
            "phone",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "party_joined_on": DATE_WIDGET,
            "full_member_on": DATE_WIDGET,
            "work_started_on": DATE_WIDGET,
            "joined_court_on": DATE_WIDGET,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "title": "如：副庭长、审判员、书记员",
            "phone": "仅本人及政治部、机关党委可见",
        }

    def __init__(self, *args: Any, court: Org | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer_own_terms(court or (self.instance.court if self.instance.pk else None))

    def offer_own_terms(self, court: Org | None) -> None:
        """Offer the court's own terms (people.terms) beside the standard values of the open
        columns, and a person's present value even if no list has it any more."""
        self.own_term_fields: set[str] = set()
        terms = own_terms(court) if court is not None else {}
        for name in OPEN_COLUMNS.values():
            field = self.fields.get(name)
            if not isinstance(field, forms.ChoiceField):
                continue  # 民族 is typed, not chosen
            choices = list(cast(list[tuple[str, str]], field.choices))
            known = {str(value) for value, _ in choices}
            extra = [*terms.get(name, [])]
            present = getattr(self.instance, name, "") if self.instance.pk else ""
            if present and present not in extra:
                extra.append(present)
            added = [(t, t) for t in extra if t not in known]
            if added:
                field.choices = [*choices, *added]
                self.own_term_fields.add(name)

    def _get_validation_exclusions(self) -> set[str]:
        # A court's own term is a choice of the form's field, not of the model's.
        excluded = super()._get_validation_exclusions()  # type: ignore[misc]
        return {*excluded, *self.own_term_fields}

    def clean_name(self) -> str:
        return "".join(self.cleaned_data["name"].split())

    def clean_employee_no(self) -> str:
        return self.cleaned_data["employee_no"].strip().upper()

    def clean_phone(self) -> str:
        # Full-width digits and hyphens, as a Chinese input method types them, are the same number.
        return clean_code(self.cleaned_data.get("phone") or "")

    def clean_title(self) -> str:
        return (self.cleaned_data.get("title") or "").strip()

    def clean_native_place(self) -> str:
        return (self.cleaned_data.get("native_place") or "").strip()

    def clean_birth_date(self) -> dt.date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError("出生日期不能晚于今天")
        return value


class PersonCreateForm(PersonForm):
    department = _optional_org("部门", OrgKind.DEPARTMENT)
    party_org = _optional_org("所在支部", OrgKind.BRANCH)
    since = forms.DateField(
        label="入职/转入日期", required=False, widget=DATE_WIDGET, help_text="不清楚可留空"
    )

    def __init__(self, court: Org, *args, **kwargs) -> None:
        super().__init__(*args, court=court, **kwargs)
        inside = Org.objects.filter(path__startswith=court.path, is_active=True).order_by("path")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = inside.filter(
            kind=OrgKind.DEPARTMENT
        )
        cast(forms.ModelChoiceField, self.fields["party_org"]).queryset = inside.filter(
            kind=OrgKind.BRANCH
        )


class TransferForm(forms.Form):
    on = forms.DateField(label="调动日期", widget=DATE_WIDGET)
    department = _optional_org(
        "调入部门", OrgKind.DEPARTMENT, help_text="不变则留空；可选其他法院的部门（交流轮岗）"
    )
    party_org = _optional_org("转入支部", OrgKind.BRANCH, help_text="组织关系转接；不变则留空")
    party_group = _optional_org("转入党小组", OrgKind.GROUP)
    reason = forms.CharField(label="原因", max_length=100, required=False)

    def __init__(self, visible_orgs, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        active = visible_orgs.filter(is_active=True).order_by("path")
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = active.filter(
            kind=OrgKind.DEPARTMENT
        )
        cast(forms.ModelChoiceField, self.fields["party_org"]).queryset = active.filter(
            kind=OrgKind.BRANCH
        )
        cast(forms.ModelChoiceField, self.fields["party_group"]).queryset = active.filter(
            kind=OrgKind.GROUP
        )
        self.fields["on"].initial = timezone.localdate()

    def clean(self) -> dict:
        data = cast(dict[str, Any], super().clean())
        if not any(data.get(k) for k in ("department", "party_org", "party_group")):
            raise forms.ValidationError("请至少选择调入部门、支部或党小组之一")
        return data


class MergeForm(forms.Form):
    target = org_pick_field(
        label="并入支部", kinds=[OrgKind.BRANCH], active=True, queryset=Org.objects.none()
    )
    on = forms.DateField(label="合并日期", widget=DATE_WIDGET)

    def __init__(self, candidates, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = candidates
        self.fields["on"].initial = timezone.localdate()

    def clean_on(self) -> dt.date:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("合并日期不能晚于今天")
        return on
