"""Forms of activity pages: filters, planning, recording, corrections, evidence, health records."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from tianping.accounts.scoping import Scope, scoped
from tianping.activities import kinds
from tianping.activities.models import (
    MAKEUP_METHOD_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ActivityStatus,
    AttendanceStatus,
    StudyItem,
)
from tianping.lib.pickers import PickerInput, org_pick_field, person_pick_field
from tianping.lib.sheets import employee_no_q
from tianping.orgs.models import COURT_KINDS, Org
from tianping.people.models import Person

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
NUMBER_SEPARATORS = re.compile(r"[、,，;；\s]+")


def person_by_number(org: Org, number: str) -> Person | None:
    """A person named by 工号 for an activity of `org`: of its court, else of a court above it.

    A lecturer may come from a higher court (a 中院 leader lecturing a 基层院 branch); the
    nearest court wins where two courts use the same number.
    """
    court = org.court()
    paths = [*court.ancestor_paths(), court.path]
    return (
        Person.objects.filter(
            employee_no_q(number),
            court__path__in=paths,
            court__kind__in=COURT_KINDS,
        )
        .order_by("-court__depth")
        .first()
    )


def parse_numbers(text: str) -> list[str]:
    return [n for n in NUMBER_SEPARATORS.split(text.strip()) if n]


def parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


class ActivityFilterForm(forms.Form):
    q = forms.CharField(
        label="标题",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "标题关键词", "type": "search"}),
    )
    org = org_pick_field(label="组织（含下级）", queryset=Org.objects.none(), required=False)
    kind = forms.ChoiceField(label="活动类型", required=False)
    category = forms.ChoiceField(label="类别", required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部"), *ActivityStatus.choices], required=False
    )
    start = forms.DateField(label="起始日期", required=False, widget=DATE_WIDGET)
    end = forms.DateField(label="截止日期", required=False, widget=DATE_WIDGET)

    def __init__(self, visible_orgs: QuerySet[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = visible_orgs
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "全部"), *kinds.choices()]
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "全部"),
            *kinds.CATEGORY_NAMES.items(),
        ]


class ActivityForm(forms.Form):
    """Plan, edit or record after the fact: the fields depend on the organisation and the kind.

    The view decides `org` and `kind` from the submitted data first, because the choices
    offered (kinds the organisation may hold, obligations the kind may also meet, the
    people to pick from) all follow from them.
    """

    PEOPLE = ("host", "recorder", "lecturer")

    org = org_pick_field(label="组织", active=True, queryset=Org.objects.none())
    kind = forms.ChoiceField(label="活动类型")
    title = forms.CharField(
        label="标题",
        max_length=200,
        required=False,
        help_text="留空则按“年月+活动类型”自动生成",
    )
    on = forms.DateField(label="日期", widget=DATE_WIDGET)
    start_time = forms.TimeField(label="开始时间", required=False, widget=TIME_WIDGET)
    end_time = forms.TimeField(label="结束时间", required=False, widget=TIME_WIDGET)
    location = forms.CharField(label="地点", max_length=200, required=False)
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    host = person_pick_field(label="主持人", queryset=Person.objects.none(), required=False)
    host_no = forms.CharField(label="或按工号指定主持人", max_length=30, required=False)
    recorder = person_pick_field(label="记录人", queryset=Person.objects.none(), required=False)
    recorder_no = forms.CharField(label="或按工号指定记录人", max_length=30, required=False)
    lecturer = person_pick_field(label="授课人", queryset=Person.objects.none(), required=False)
    lecturer_no = forms.CharField(label="或按工号指定授课人", max_length=30, required=False)
    lecturer_is_secretary = forms.BooleanField(label="授课人为党委（党组）书记", required=False)
    also_counts_as = forms.MultipleChoiceField(
        label="同时计为",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="一次活动可按规定同时计入多项制度（如主题党日同时讲党课）",
    )
    hours = forms.DecimalField(
        label="时长（小时）", required=False, max_digits=5, decimal_places=1, min_value=0
    )
    external_audience = forms.IntegerField(label="群众/外部参与人数", required=False, min_value=0)
    summary = forms.CharField(
        label="会议记录/内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        orgs: QuerySet[Org] | None,
        org: Org | None,
        kind: kinds.Kind | None,
        candidates: QuerySet[Person],
        with_outcome: bool = False,
        past: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        # The form's metaclass moves the declared fields to base_fields: on the instance,
        # `org` and `kind` name what the view chose, not the fields.
        self.org = org  # type: ignore[assignment]
        self.kind = kind  # type: ignore[assignment]
        self.past = past
        if orgs is None:
            del self.fields["org"]
        else:
            cast(forms.ModelChoiceField, self.fields["org"]).queryset = orgs
            if kind is not None:  # the search offers only the organisations that hold it
                picker = cast(PickerInput, self.fields["org"].widget)
                picker.params["kinds"] = ",".join(kind.holders)
        holdable = (
            kinds.kinds_for_holder(org.kind) if org is not None else list(kinds.KINDS.values())
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", "请选择"),
            *((k.code, k.name) for k in holdable),
        ]
        court_code = org.court().code if org is not None else ""
        for name in self.PEOPLE:
            cast(forms.ModelChoiceField, self.fields[name]).queryset = candidates
            if org is not None:
                cast(PickerInput, self.fields[name].widget).params["court"] = court_code
        if kind is None or not kind.has_lecturer:
            for name in ("lecturer", "lecturer_no", "lecturer_is_secretary"):
                del self.fields[name]
        if kind is not None and kind.may_also_count_as:
            cast(forms.ChoiceField, self.fields["also_counts_as"]).choices = [
                (code, kinds.KINDS[code].name) for code in kind.may_also_count_as
            ]
        else:
            del self.fields["also_counts_as"]
        if not with_outcome:
            for name in ("hours", "external_audience", "summary"):
                del self.fields[name]
        elif kind is None or not kind.has_external_audience:
            del self.fields["external_audience"]
        if past:
            self.fields["on"].help_text = "补录已开展的活动，日期不晚于今天"

    def clean_on(self) -> dt.date:
        on = self.cleaned_data["on"]
        if self.past and on > timezone.localdate():
            raise forms.ValidationError("补录的活动日期不能晚于今天")
        return on

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        org: Org | None = data.get("org") or self.org  # type: ignore[assignment]  # see __init__
        for name in self.PEOPLE:
            if name not in self.fields:
                continue
            number = (data.get(f"{name}_no") or "").strip()
            if number and org is not None:
                person = person_by_number(org, number)
                if person is None:
                    self.add_error(f"{name}_no", f"未找到工号为“{number}”的人员")
                else:
                    data[name] = person
        kind = kinds.KINDS.get(data.get("kind") or "")
        if kind is not None and not (data.get("title") or "").strip() and data.get("on"):
            on = data["on"]
            data["title"] = f"{on.year}年{on.month}月{kind.name}"
        return data

    def activity_fields(self) -> dict[str, Any]:
        """The cleaned values as the activity actions take them."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "kind": data["kind"],
            "title": data["title"].strip(),
            "on": data["on"],
            "start_time": data.get("start_time"),
            "end_time": data.get("end_time"),
            "location": data.get("location", "").strip(),
            "agenda": data.get("agenda", ""),
            "host": data.get("host"),
            "recorder": data.get("recorder"),
            "also_counts_as": list(data.get("also_counts_as") or []),
        }
        if "lecturer" in self.fields:
            fields["lecturer"] = data.get("lecturer")
            fields["lecturer_is_secretary"] = bool(data.get("lecturer_is_secretary"))
        else:
            fields["lecturer"] = None
            fields["lecturer_is_secretary"] = False
        if "summary" in self.fields:
            fields["summary"] = data.get("summary", "")
            fields["hours"] = data.get("hours")
        if "external_audience" in self.fields:
            fields["external_audience"] = data.get("external_audience")
        return fields


class RecordForm(forms.Form):
    """What a held activity adds beside attendance: minutes, hours, audience, late-comers."""

    summary = forms.CharField(
        label="会议记录/内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    hours = forms.DecimalField(
        label="时长（小时）",
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.1"),
        help_text="留空则按开始、结束时间计算",
    )
    external_audience = forms.IntegerField(label="群众/外部参与人数", required=False, min_value=0)
    extra = forms.CharField(
        label="其他出席人员（工号）",
        required=False,
        help_text="名单外的出席人员，多个工号用空格或顿号分隔",
    )

    def __init__(self, *args: Any, kind: kinds.Kind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not kind.has_external_audience:
            del self.fields["external_audience"]


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class AttendanceForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="出勤", choices=AttendanceStatus.choices)
    reason = forms.CharField(label="请假/缺席原因", max_length=REASON_MAX_LENGTH, required=False)


class MakeupForm(forms.Form):
    """补学 of one member who was on leave or absent."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(
        label="补学日期",
        widget=DATE_WIDGET,
        error_messages={"required": "请填写补学日期", "invalid": "请填写有效的补学日期"},
    )
    method = forms.CharField(
        label="补学方式",
        max_length=MAKEUP_METHOD_MAX_LENGTH,
        help_text="如自学会议精神、补看录像",
        error_messages={"required": "请填写补学方式，如自学会议精神、补看录像"},
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料", help_text="可选；单个文件不超过20MB")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(
                f"“{upload.name}”超过20MB（{upload.size / 1024 / 1024:.1f}MB），请压缩后再上传"
            )
        if upload.size == 0:
            raise forms.ValidationError(f"“{upload.name}”是空文件")
        return upload


# ---------------------------------------------------------------------------------------
# The health page: a record of the center group's "六有" (R1.7), a 谈心谈话 (D5)


class StudyRecordForm(forms.Form):
    item = forms.ChoiceField(label="项目", choices=StudyItem.choices)
    title = forms.CharField(label="标题/说明", max_length=200)
    employee_no = forms.CharField(
        label="本人工号", max_length=30, required=False, help_text="学习笔记、心得文章填写作者工号"
    )
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="专项经费填写",
    )
    file = forms.FileField(label="佐证文件", required=False, help_text="可选；不超过20MB")
    year = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, org: Org, scope: Scope, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.org = org
        self.scope = scope
        self.person: Person | None = None

    def clean_employee_no(self) -> str:
        number = self.cleaned_data["employee_no"].strip().upper()
        if number:
            self.person = (
                scoped(self.scope, Person.objects.filter(court=self.org.court()))
                .filter(employee_no_q(number))
                .first()
            )
            if self.person is None:
                raise forms.ValidationError(f"本院没有工号为“{number}”的人员")
        return number

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(f"“{upload.name}”超过20MB，请压缩后再上传")
        return upload

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise forms.ValidationError("年度无效")
        return year


class HeartTalkForm(forms.Form):
    on = forms.DateField(label="谈话日期", widget=forms.DateInput(attrs={"type": "date"}))
    talker = forms.TypedChoiceField(
        label="谈话人", coerce=int, empty_value=None, error_messages={"required": "请选择谈话人"}
    )
    members = forms.TypedMultipleChoiceField(
        label="谈话对象",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一名谈话对象（谈话人本人除外）"},
        help_text="可多选；一次谈话记录一名谈话人与其谈话的党员",
    )
    location = forms.CharField(label="地点", max_length=200, required=False)
    summary = forms.CharField(
        label="谈话要点", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    year = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, people: list[Person], committee: set[int], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.people = {p.pk: p for p in people}

        def label(p: Person) -> str:
            mark = "（支部委员）" if p.pk in committee else ""
            return f"{p.name} {p.employee_no}{mark}"

        choices = [(p.pk, label(p)) for p in people]
        cast(forms.ChoiceField, self.fields["talker"]).choices = [("", "请选择"), *choices]
        cast(forms.ChoiceField, self.fields["members"]).choices = choices

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        talker, members = data.get("talker"), data.get("members") or []
        if talker is not None and talker in members:
            members = [m for m in members if m != talker]
            data["members"] = members
        if talker is not None and not members and "members" not in self.errors:
            self.add_error("members", "请至少选择一名谈话对象（谈话人本人除外）")
        return data
