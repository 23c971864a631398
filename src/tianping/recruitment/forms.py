"""Forms of the recruitment pages: open a file, record a step (fields by kind), court settings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet

from tianping.activities.forms import MAX_EVIDENCE_BYTES
from tianping.activities.models import Activity
from tianping.lib.pickers import PickerInput, org_pick_field, people_pick_field, person_pick_field
from tianping.lib.sheets import employee_key, employee_no_q
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person
from tianping.recruitment.models import StepKind
from tianping.recruitment.rules import EXTENSION_MONTHS, StepInput

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_SEPARATORS = re.compile(r"[、,，;；\s]+")

# The fields each step asks for, in order; `on` and `note` are relabelled per kind.
FIELDS: dict[str, tuple[str, ...]] = {
    StepKind.TALK: ("on", "note", "evidence"),
    StepKind.ACTIVIST: ("on", "people", "people_no", "note", "evidence"),
    StepKind.CONTACTS: ("on", "people", "people_no", "note"),
    StepKind.ASSESSMENT: ("on", "note", "evidence"),
    StepKind.CANDIDATE_NOTICE: ("on", "ends_on", "note", "evidence"),
    StepKind.CANDIDATE: ("on", "note", "evidence"),
    StepKind.INTRODUCERS: ("on", "people", "people_no", "note"),
    StepKind.POLITICAL_REVIEW: ("on", "note", "evidence"),
    StepKind.TRAINING: ("on", "days", "hours", "note", "evidence"),
    StepKind.ADMISSION_NOTICE: ("on", "ends_on", "note", "evidence"),
    StepKind.ADMISSION: (
        "on",
        "activity",
        "entitled",
        "entitled_note",
        "present",
        "votes_yes",
        "votes_no",
        "votes_abstain",
        "note",
        "evidence",
    ),
    StepKind.APPROVAL: ("on", "approver", "special", "note", "evidence"),
    StepKind.EXTENSION: ("on", "months", "note", "evidence"),
    StepKind.FULL: ("on", "activity", "note", "evidence"),
    StepKind.CANCEL: ("on", "note", "evidence"),
    StepKind.STOP: ("on", "note", "evidence"),
}
ON_LABELS: dict[str, str] = {
    StepKind.TALK: "谈话日期",
    StepKind.ACTIVIST: "确定日期",
    StepKind.CONTACTS: "调整日期",
    StepKind.ASSESSMENT: "考察日期",
    StepKind.CANDIDATE_NOTICE: "公示开始日期",
    StepKind.ADMISSION_NOTICE: "公示开始日期",
    StepKind.CANDIDATE: "确定日期",
    StepKind.INTRODUCERS: "确定日期",
    StepKind.POLITICAL_REVIEW: "政审日期",
    StepKind.TRAINING: "培训开始日期",
    StepKind.ADMISSION: "支部党员大会日期",
    StepKind.APPROVAL: "审批日期",
    StepKind.EXTENSION: "支部大会决定日期",
    StepKind.FULL: "支部大会讨论日期",
    StepKind.CANCEL: "决定日期",
    StepKind.STOP: "决定日期",
}
NOTE_LABELS: dict[str, str] = {
    StepKind.TALK: "谈话情况",
    StepKind.ASSESSMENT: "考察意见",
    StepKind.POLITICAL_REVIEW: "政审结论",
    StepKind.EXTENSION: "延长原因",
    StepKind.CANCEL: "原因",
    StepKind.STOP: "原因",
}
NOTE_REQUIRED = {StepKind.POLITICAL_REVIEW, StepKind.EXTENSION, StepKind.CANCEL, StepKind.STOP}
PEOPLE_LABELS: dict[str, str] = {
    StepKind.ACTIVIST: "培养联系人（1至2名正式党员）",
    StepKind.CONTACTS: "培养联系人（1至2名正式党员）",
    StepKind.INTRODUCERS: "入党介绍人（2名正式党员）",
}


def parse_numbers(text: str) -> list[str]:
    return [n.upper() for n in NUMBER_SEPARATORS.split(text.strip()) if n]


class EvidenceField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            if upload.size > MAX_EVIDENCE_BYTES:
                raise forms.ValidationError(
                    f"“{upload.name}”超过20MB（{upload.size / 1024 / 1024:.1f}MB），请压缩后再上传"
                )
            if upload.size == 0:
                raise forms.ValidationError(f"“{upload.name}”是空文件")
        return upload


class OpenFileForm(forms.Form):
    branch = org_pick_field(
        label="党支部", kinds=[OrgKind.BRANCH], active=True, queryset=Org.objects.none()
    )
    person = person_pick_field(label="申请人", queryset=Person.objects.none(), required=False)
    employee_no = forms.CharField(
        label="或按工号指定申请人",
        max_length=30,
        required=False,
        help_text="申请人须在花名册中；不在列表中的本院人员可直接填写工号",
    )
    on = forms.DateField(label="递交入党申请书日期", widget=DATE_WIDGET)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = EvidenceField(label="入党申请书扫描件", required=False, help_text="可选")

    def __init__(
        self,
        branches: QuerySet[Org],
        people: QuerySet[Person],
        *args: Any,
        findable: Callable[[Org], QuerySet[Person]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Whom a 工号 may name in a court (recruitment.queries.applicant_lookup), so the
        # lookup reveals nobody else.
        self.findable = findable if findable is not None else (lambda court: people)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        self.found: Person | None = None

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        branch, person = data.get("branch"), data.get("person")
        number: str = data.get("employee_no") or ""
        if person is None and not number:
            self.add_error("person", "请选择申请人，或填写其工号")
        elif person is None and branch is not None:
            court = branch.court()
            person = self.findable(court).filter(employee_no_q(number), court=court).first()
            if person is None:
                self.add_error(
                    "employee_no", f"{branch.court().name}花名册中没有工号“{number.strip()}”"
                )
        self.found = person
        return data


class StepForm(forms.Form):
    """One form for every step; the fields that a kind does not ask for are removed."""

    on = forms.DateField(label="日期", widget=DATE_WIDGET)
    ends_on = forms.DateField(label="公示截止日期", widget=DATE_WIDGET)
    people = people_pick_field(
        label="人员",
        queryset=Person.objects.none(),
        required=False,
        params={"party": "1"},
        help_text="输入姓名、工号或拼音查找，可选多人；取消勾选即移除",
    )
    people_no = forms.CharField(
        label="或按工号指定",
        max_length=200,
        required=False,
        help_text="您管理范围内其他支部的党员可填工号，多个用顿号分隔",
    )
    days = forms.IntegerField(label="培训天数", required=False, min_value=0, max_value=365)
    hours = forms.DecimalField(
        label="培训学时", required=False, min_value=0, max_digits=5, decimal_places=1
    )
    activity = forms.ModelChoiceField(
        label="支部党员大会",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="（按本步骤日期新记录一次支部党员大会）",
        help_text="列出本支部已记录召开的支部党员大会；选择后，到会人数按会议出勤记录中的正式党员计算",
    )
    entitled = forms.IntegerField(
        label="有表决权的正式党员数",
        required=False,
        min_value=1,
        help_text="留空则按花名册中该支部当日的正式党员人数计算；预备党员没有表决权",
    )
    entitled_note = forms.CharField(
        label="人数说明",
        max_length=200,
        required=False,
        help_text="填写人数与花名册不同时必填（如受留党察看处分的党员没有表决权）",
    )
    present = forms.IntegerField(
        label="到会有表决权党员数",
        required=False,
        min_value=0,
        help_text="选择了支部党员大会的，按其出勤记录计算，可不填；填写的须与出勤记录一致",
    )
    votes_yes = forms.IntegerField(label="赞成票", min_value=0)
    votes_no = forms.IntegerField(label="反对票", required=False, min_value=0)
    votes_abstain = forms.IntegerField(label="弃权票", required=False, min_value=0)
    approver = forms.CharField(label="审批党组织", max_length=100, required=False)
    special = forms.BooleanField(
        label="因特殊情况延长审批期限", required=False, help_text="审批期限一般为3个月，最长6个月"
    )
    months = forms.IntegerField(
        label="延长月数",
        min_value=1,
        max_value=24,
        help_text=f"可延长{EXTENSION_MONTHS[0]}至{EXTENSION_MONTHS[1]}个月，只能延长一次",
    )
    note = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = EvidenceField(label="佐证材料", required=False, help_text="可选；不超过20MB")

    def __init__(
        self,
        kind: str,
        *args: Any,
        people: QuerySet[Person] | None = None,
        findable: QuerySet[Person] | None = None,
        court: Org | None = None,
        congresses: QuerySet[Activity] | None = None,
        congress_present: dict[int, int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.court = court
        # Whom a 工号 may name: the people the user may see, so the lookup reveals nobody else.
        self.findable = findable if findable is not None else Person.objects.none()
        wanted = FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.fields["on"].label = ON_LABELS.get(kind, "日期")
        self.fields["note"].label = NOTE_LABELS.get(kind, "情况说明")
        self.fields["note"].required = kind in NOTE_REQUIRED
        if "people" in self.fields:
            self.fields["people"].label = PEOPLE_LABELS[kind]
            cast(forms.ModelChoiceField, self.fields["people"]).queryset = (
                people if people is not None else Person.objects.none()
            )
            if court is not None:
                cast(PickerInput, self.fields["people"].widget).params["court"] = court.code
        if "activity" in self.fields:
            cast(forms.ModelChoiceField, self.fields["activity"]).queryset = (
                congresses if congresses is not None else Activity.objects.none()
            )
            counts = congress_present or {}

            def congress_label(a: Activity) -> str:
                present = counts.get(a.pk)
                attendance = "尚未记录出勤" if present is None else f"到会正式党员{present}名"
                return f"{a.on:%Y-%m-%d} {a.title}（{attendance}）"

            cast(
                forms.ModelChoiceField, self.fields["activity"]
            ).label_from_instance = congress_label  # type: ignore[assignment]  # a label per field, as Django documents
        self.chosen: list[Person] = []

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        if "people" in self.fields:
            chosen = list(data.get("people") or [])
            numbers = parse_numbers(data.get("people_no") or "")
            if numbers and self.court is not None:
                wanted = Q()
                for n in numbers:
                    wanted |= employee_no_q(n)
                found = {
                    employee_key(p.employee_no): p
                    for p in self.findable.filter(wanted, court=self.court)
                }
                missing = [n for n in numbers if employee_key(n) not in found]
                if missing:
                    self.add_error(
                        "people_no",
                        f"{self.court.name}花名册中没有工号：{'、'.join(missing)}",
                    )
                chosen += [found[k] for n in numbers if (k := employee_key(n)) in found]
            seen: set[int] = set()
            self.chosen = []
            for p in chosen:
                if p.pk not in seen:
                    seen.add(p.pk)
                    self.chosen.append(p)
        return data

    def to_input(self) -> StepInput:
        data = self.cleaned_data
        on: dt.date = data["on"]
        return StepInput(
            kind=self.kind,
            on=on,
            ends_on=data.get("ends_on"),
            note=data.get("note") or "",
            people=self.chosen,
            days=data.get("days"),
            hours=data.get("hours"),
            entitled=data.get("entitled"),
            entitled_note=data.get("entitled_note") or "",
            present=data.get("present"),
            votes_yes=data.get("votes_yes"),
            votes_no=data.get("votes_no"),
            votes_abstain=data.get("votes_abstain"),
            activity=data.get("activity"),
            approver=data.get("approver") or "",
            special=bool(data.get("special")),
            months=data.get("months"),
        )


class SettingForm(forms.Form):
    notice_working_days = forms.IntegerField(
        label="公示期（工作日）",
        min_value=1,
        max_value=30,
        help_text="确定发展对象前、接收预备党员前的公示天数（默认5个工作日）。"
        "工作日按国家节假日安排计算：法定节假日不计，调休上班的周末计入。",
    )


ARRANGEMENTS = [("holiday", "放假"), ("working", "调休上班")]


class CalendarDayForm(forms.Form):
    """One day of China's calendar: a holiday, or a weekend day worked in its place (调休)."""

    day = forms.DateField(label="日期", widget=DATE_WIDGET)
    arrangement = forms.ChoiceField(
        label="安排", choices=ARRANGEMENTS, widget=forms.RadioSelect, initial="holiday"
    )
    name = forms.CharField(label="节日", max_length=100, help_text="如：国庆节、春节")
