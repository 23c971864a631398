"""Forms of the training-class pages: filters, the class, its plan, enrolment, sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from tianping.activities.forms import DATE_WIDGET, TIME_WIDGET
from tianping.learning.models.training import (
    ClassStatus,
    Course,
    CourseCategory,
    EnrolmentResult,
    TrainingKind,
)
from tianping.learning.queries.training import RULE_CHOICES
from tianping.lib.pickers import PickerInput, org_pick_field, people_pick_field
from tianping.orgs.models import COURT_KINDS, Org, OrgKind
from tianping.people.models import Person

ORGANISER_KINDS = [*sorted(COURT_KINDS), OrgKind.DEPARTMENT]


def year_choices(blank: str = "全部") -> list[tuple[str, str]]:
    this = dt.date.today().year
    years = [(str(y), f"{y}年") for y in range(this + 1, this - 6, -1)]
    return [("", blank), *years] if blank else years


class ClassFilterForm(forms.Form):
    q = forms.CharField(
        label="名称",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "名称或编号", "type": "search"}),
    )
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="培训类型", required=False, choices=[("", "全部"), *TrainingKind.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ClassStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = year_choices()


class ClassForm(forms.Form):
    organiser = org_pick_field(
        label="主办单位", kinds=ORGANISER_KINDS, active=True, queryset=Org.objects.none()
    )
    name = forms.CharField(label="培训班名称", max_length=200)
    kind = forms.ChoiceField(label="培训类型", choices=[("", "请选择"), *TrainingKind.choices])
    host_institution = forms.CharField(
        label="承办机构",
        max_length=200,
        required=False,
        help_text="异地培训、上级调训填写，如复旦大学、浙江大学",
    )
    audience = forms.CharField(
        label="培训对象", max_length=200, required=False, help_text="如：全院书记员"
    )
    starts_on = forms.DateField(label="开始日期", widget=DATE_WIDGET)
    ends_on = forms.DateField(label="结束日期", widget=DATE_WIDGET)
    place = forms.CharField(label="地点", max_length=200, required=False)

    def __init__(self, *args: Any, organisers: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organiser"]).queryset = organisers


class CourseForm(forms.Form):
    title = forms.CharField(label="课程名称", max_length=200, required=False)
    lecturer = forms.CharField(label="授课人", max_length=100, required=False)
    hours = forms.DecimalField(
        label="课时", required=False, max_digits=6, decimal_places=1, min_value=0, max_value=400
    )
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "—"), *CourseCategory.choices]
    )
    political = forms.BooleanField(label="计入政治教育", required=False)

    def row(self) -> dict[str, Any] | None:
        """What the plan action takes, or None for a blank row."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if not data or not (data.get("title") or "").strip():
            return None
        return dict(data)


CourseFormSet = forms.formset_factory(CourseForm, extra=2, max_num=100, absolute_max=100)


def course_initial(courses: list[Course]) -> list[dict[str, Any]]:
    return [
        {
            "title": c.title,
            "lecturer": c.lecturer,
            "hours": c.hours,
            "category": c.category,
            "political": c.political,
        }
        for c in courses
    ]


class FinalForm(forms.Form):
    below_share_reason = forms.CharField(
        label="政治教育占比不足的说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EnrolHandForm(forms.Form):
    people = people_pick_field(label="学员", queryset=Person.objects.none())

    def __init__(self, *args: Any, candidates: QuerySet[Person], court_code: str, **kw: Any):
        super().__init__(*args, **kw)
        field = cast(forms.ModelMultipleChoiceField, self.fields["people"])
        field.queryset = candidates
        cast(PickerInput, field.widget).params["court"] = court_code


class EnrolRuleForm(forms.Form):
    rule = forms.ChoiceField(label="报名规则", choices=RULE_CHOICES)
    year = forms.TypedChoiceField(
        label="年度（按年选人时）", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = year_choices("—")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rule") in ("joined", "new_judges") and not data.get("year"):
            self.add_error("year", "按年选人时请选择年度")
        return data


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(
        label="课程", queryset=Course.objects.none(), required=False, empty_label="（不指定）"
    )
    title = forms.CharField(
        label="标题", max_length=200, required=False, help_text="留空则按“培训班：课程”生成"
    )
    on = forms.DateField(label="日期", widget=DATE_WIDGET)
    start_time = forms.TimeField(label="开始时间", required=False, widget=TIME_WIDGET)
    end_time = forms.TimeField(label="结束时间", required=False, widget=TIME_WIDGET)
    hours = forms.DecimalField(
        label="学时",
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=400,
        help_text="留空则取课程课时或起止时间",
    )
    location = forms.CharField(label="地点", max_length=200, required=False)

    def __init__(self, *args: Any, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["course"]).queryset = courses


class ResultForm(forms.Form):
    result = forms.ChoiceField(
        label="结业结果", required=False, choices=[("", "—"), *EnrolmentResult.choices]
    )
    grade = forms.CharField(label="成绩", max_length=20, required=False)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="总体评价",
        coerce=int,
        choices=[(n, f"{n}分") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见建议", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShareForm(forms.Form):
    percent = forms.DecimalField(
        label="业务培训中政治教育课时占比不低于（%）",
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
    )


class RequirementForm(forms.Form):
    hours = forms.DecimalField(
        label="每年学时不少于",
        required=False,
        max_digits=6,
        decimal_places=1,
        min_value=0,
        max_value=1000,
    )
    political_hours = forms.DecimalField(
        label="其中政治理论不少于",
        required=False,
        max_digits=6,
        decimal_places=1,
        min_value=0,
        max_value=1000,
    )
