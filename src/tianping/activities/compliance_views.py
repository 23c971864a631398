"""Compliance pages: the subtree matrix and the branch health check (支部体检)."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import quote_plus, urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities import committee_hooks
from tianping.activities import compliance as engine
from tianping.activities.committee_hooks import Check
from tianping.activities.compliance import (
    MISSING,
    SOURCES,
    Due,
    Report,
    TalkMatrix,
    compliance,
    default_as_of,
    membership_on,
)
from tianping.activities.forms import MAX_EVIDENCE_BYTES
from tianping.activities.heart_talks import do_record_heart_talk
from tianping.activities.kinds import OBLIGATIONS, Obligation, Period
from tianping.activities.models import Activity, ActivityStatus, StudyItem, StudyRecord
from tianping.activities.study_records import do_add_study_record
from tianping.activities.views import INLINE_TYPES
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import COURT_KINDS, PARTY_KINDS, Org, OrgKind
from tianping.people.lookup import employee_no_q
from tianping.people.models import PARTY_STATUSES, Person, Placement, PlacementKind, placed_on

MONTHS = [f"{m}月" for m in range(1, 13)]
QUARTERS = ["一季度", "二季度", "三季度", "四季度"]
RHYTHM = {Period.MONTH: "每月", Period.QUARTER: "每季度", Period.YEAR: "每年"}
# Kinds offered in the organisation picker: the nodes whose subtree is worth a matrix (a
# province has some 1,500 branches; a branch is reached from its row, or is a secretary's root).
PICKER_KINDS = COURT_KINDS | {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH}
# Nodes shown as headings in the matrix so a branch is seen under its court.
SECTION_KINDS = COURT_KINDS | {OrgKind.GENERAL_BRANCH}


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@dataclass(frozen=True)
class PeriodFilter:
    """The part of the year the matrix shows: the whole year, a quarter or a month."""

    code: str  # "", "Q1"–"Q4", "M1"–"M12"
    label: str
    months: tuple[int, ...]
    quarters: tuple[int, ...]
    year: bool

    def keeps(self, due: Due) -> bool:
        if due.span.period == Period.MONTH:
            return due.span.index in self.months
        if due.span.period == Period.QUARTER:
            return due.span.index in self.quarters
        return self.year


WHOLE_YEAR = PeriodFilter("", "全年", tuple(range(1, 13)), (1, 2, 3, 4), True)
PERIOD_FILTERS = [
    WHOLE_YEAR,
    *(
        PeriodFilter(f"Q{q}", QUARTERS[q - 1], (3 * q - 2, 3 * q - 1, 3 * q), (q,), False)
        for q in range(1, 5)
    ),
    *(PeriodFilter(f"M{m}", MONTHS[m - 1], (m,), (), False) for m in range(1, 13)),
]
PERIODS_BY_CODE = {p.code: p for p in PERIOD_FILTERS}


def _period(request: HttpRequest) -> PeriodFilter:
    return PERIODS_BY_CODE.get(request.GET.get("period", "").strip().upper(), WHOLE_YEAR)


def _in_period(report: Report, period: PeriodFilter) -> Report:
    """The report with only the rows of the period asked for (the summary follows them)."""
    if period is WHOLE_YEAR:
        return report
    return replace(report, rows=[r for r in report.rows if period.keeps(r)])


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


def _root(request: HttpRequest) -> Org:
    """The organisation asked for (in scope, else 404), or the root of the user's scope."""
    scope = request.scope  # type: ignore[attr-defined]
    code = request.GET.get("org", "").strip()
    if code:
        return get_scoped(scope, Org.objects.all(), code=code)
    root = Org.objects.filter(pk=scope.root_id).first()
    if root is None:
        raise Http404
    return root


def _records_url(base: str, due: Due) -> str:
    """The activity list filtered to what counts for this cell: org, kind, period, held."""
    query = urlencode(
        {
            "org": due.org.code,
            "kind": due.kind,
            "status": ActivityStatus.HELD,
            "start": due.span.start.isoformat(),
            "end": due.span.end.isoformat(),
        }
    )
    return f"{base}?{query}"


def _health_url(org: Org, year: int) -> str:
    return reverse("activities:health", args=[org.code]) + f"?year={year}"


class ChipMaker:
    """The HTML of matrix chips, built by plain formatting from pieces escaped once.

    A 中院 subtree has some 8,000 cells a year; escaping each piece of each one through
    format_html costs more than the compliance question itself.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        self.records_base = reverse("activities:list")
        self.names = {
            o.code: (escape(o.name), escape(engine.SHORT_NAMES.get(o.code, o.name)))
            for o in OBLIGATIONS.values()
        }
        self.org_code = ""
        self.records = ""
        self.health = ""

    def start_org(self, org: Org) -> str:
        """Set the organisation the next chips belong to; returns its health-page URL."""
        self.org_code = org.code
        self.records = escape(f"{self.records_base}?org={quote_plus(org.code)}&status=held")
        self.health = _health_url(org, self.year)
        return self.health

    def chip(self, due: Due) -> str:
        # A missing cell leads to the organisation's health check; any other to its records.
        if due.status == MISSING:
            href = escape(self.health) + "#obligations"
        else:
            href = (
                f"{self.records}&amp;kind={due.kind}"
                f"&amp;start={due.span.start.isoformat()}&amp;end={due.span.end.isoformat()}"
            )
        name, short = self.names[due.obligation.code]
        unit = escape(due.unit) if due.by_pairs else ""
        return (
            f'<a class="chip st-{due.status}" href="{href}" '
            f'title="{name} {due.span.code}：{due.held}/{due.required}{unit} {due.status_name}">'
            f"{short} {due.held}/{due.required}</a>"
        )


# ---------------------------------------------------------------------------------------
# The matrix


@dataclass(frozen=True)
class Column:
    """One column of the matrix: a month, a quarter or the year."""

    period: Period
    index: int
    label: str
    first_of_group: bool = False

    @property
    def css(self) -> str:
        return "cell group-start" if self.first_of_group else "cell"


def matrix_columns(period: PeriodFilter) -> list[Column]:
    columns = [
        Column(Period.MONTH, m, MONTHS[m - 1], first_of_group=i == 0)
        for i, m in enumerate(period.months)
    ]
    columns += [
        Column(Period.QUARTER, q, QUARTERS[q - 1], first_of_group=i == 0)
        for i, q in enumerate(period.quarters)
    ]
    if period.year:
        columns.append(Column(Period.YEAR, 1, "全年", first_of_group=True))
    return columns


@dataclass
class MatrixRow:
    org: Org
    indent: int
    section: bool
    health_url: str = ""
    cells: list[tuple[str, SafeString]] = field(default_factory=list)  # (css class, chips)
    owes: bool = False
    missing: int = 0

    @property
    def indent_em(self) -> str:
        return f"{self.indent * 1.25:.2f}"


def matrix_rows(
    report: Report,
    sections: list[Org],
    *,
    problems_only: bool,
    columns: list[Column] | None = None,
) -> list[MatrixRow]:
    """One row per party organisation, with its cells by column; courts as headings."""
    columns = columns if columns is not None else matrix_columns(WHOLE_YEAR)
    position = {(c.period, c.index): i for i, c in enumerate(columns)}
    root_depth = report.root.depth if report.root is not None else 1
    maker = ChipMaker(report.year)
    by_org: dict[int, list[Due]] = {}
    for due in report.rows:
        by_org.setdefault(due.org.pk, []).append(due)
    rows: list[MatrixRow] = []
    for org in sorted([*report.orgs, *sections], key=lambda o: o.path):
        indent = max(org.depth - root_depth, 0)
        if org.kind in SECTION_KINDS:
            rows.append(MatrixRow(org, indent, section=True))
            continue
        health = maker.start_org(org)
        cells: list[list[str]] = [[] for _ in columns]
        missing = 0
        dues = by_org.get(org.pk, [])
        for due in dues:
            at = position.get((due.span.period, due.span.index))
            if at is None:
                continue
            cells[at].append(maker.chip(due))
            missing += due.status == MISSING
        rows.append(
            MatrixRow(
                org,
                indent,
                section=False,
                health_url=health,
                cells=[(column.css, _cell(c)) for column, c in zip(columns, cells, strict=True)],
                owes=bool(dues),
                missing=missing,
            )
        )
    if problems_only:
        rows = _keep_problems(rows)
    return _drop_empty_sections(rows)


def _cell(chips: list[str]) -> SafeString:
    return mark_safe("".join(chips))  # each piece was escaped by ChipMaker


def _keep_problems(rows: list[MatrixRow]) -> list[MatrixRow]:
    return [r for r in rows if r.section or r.missing]


def _drop_empty_sections(rows: list[MatrixRow]) -> list[MatrixRow]:
    """A heading stays only if some organisation below it is listed."""
    listed = {
        r.org.path[:length]
        for r in rows
        if not r.section
        for length in range(Org.steplen, len(r.org.path) + 1, Org.steplen)
    }
    return [r for r in rows if not r.section or r.org.path in listed]


def _sections(root: Org) -> list[Org]:
    return list(
        Org.objects.filter(path__startswith=root.path, kind__in=SECTION_KINDS)
        .only("id", "code", "name", "kind", "path", "depth")
        .order_by("path")
    )


def _picker(scope: Scope, root: Org) -> list[Org]:
    orgs = list(
        scoped(scope, Org.objects.filter(kind__in=PICKER_KINDS, is_active=True))
        .only("id", "code", "name", "kind", "depth", "path")
        .order_by("path")
    )
    if root.pk not in {o.pk for o in orgs}:
        orgs.append(root)
        orgs.sort(key=lambda o: o.path)
    top = min((o.depth for o in orgs), default=1)
    for o in orgs:
        o.picker_label = "　" * (o.depth - top) + o.name  # type: ignore[attr-defined]
    return orgs


@requires("compliance.view")
def matrix(request: HttpRequest) -> HttpResponse:
    """Organisations × periods for a subtree and a year: met / missing / upcoming (R1.5)."""
    root = _root(request)
    year = _year(request)
    period = _period(request)
    problems_only = request.GET.get("problems") == "1"
    report = _in_period(compliance(root, year, default_as_of(year)), period)
    columns = matrix_columns(period)
    rows = matrix_rows(report, _sections(root), problems_only=problems_only, columns=columns)
    query = {"org": root.code, "year": year}
    if period.code:
        query["period"] = period.code
    return render(
        request,
        "activities/compliance.html",
        {
            "root": root,
            "year": year,
            "years": _years(),
            "period": period,
            "periods": PERIOD_FILTERS,
            "report": report,
            "summary": report.summary,
            "rows": rows,
            "columns": columns,
            "span": len(columns) + 1,
            "problems_only": problems_only,
            "picker": _picker(request.scope, root),  # type: ignore[attr-defined]
            "export_url": reverse("activities:compliance_export") + f"?{urlencode(query)}",
            "legend": [(engine.SHORT_NAMES[o.code], o.name) for o in OBLIGATIONS.values()],
            "breadcrumbs": [("组织生活合规", None)],
        },
    )


EXPORT_HEADERS = ["组织代码", "组织名称", "制度", "周期", "应开展", "已开展", "单位", "状态"]


@requires("compliance.view")
def export(request: HttpRequest) -> HttpResponse:
    """The matrix as a sheet: one row per organisation, obligation and period."""
    root = _root(request)
    year = _year(request)
    period = _period(request)
    report = _in_period(compliance(root, year, default_as_of(year)), period)
    rows = (
        [
            r.org.code,
            r.org.name,
            r.kind_name,
            r.span.code,
            r.required,
            r.held,
            r.unit,
            r.status_name,
        ]
        for r in report.rows
    )
    when = f"{year}年" if period is WHOLE_YEAR else f"{year}年{period.label}"
    return FileResponse(
        table_bytes(EXPORT_HEADERS, rows, title=f"{when}组织生活合规"),
        as_attachment=True,
        filename=f"组织生活合规-{root.name}-{when}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---------------------------------------------------------------------------------------
# The health check of one party organisation (支部体检)


@dataclass
class ObligationLine:
    org: Org
    obligation: Obligation
    rhythm: str
    source: str
    chips: SafeString
    met: int
    due: int
    activities: list[Activity]


def _membership_checks(org: Org, day: dt.date, report: Report, scope: Scope) -> list[Check]:
    members = membership_on(org, day)
    on = f"{day:%Y年%m月%d日}"
    checks: list[Check] = []
    if org.kind == OrgKind.BRANCH:
        lines = [f"截至{on}，正式党员{members.full}名，预备党员{members.probationary}名。"]
        level = "ok"
        if members.full < engine.BRANCH_MIN_FULL_MEMBERS:
            level = "bad"
            lines.append(
                "正式党员不足3名，按规定应与其他单位联合成立党支部（联合党支部不超过5个单位）。"
            )
        if members.total > engine.BRANCH_MAX_MEMBERS:
            level = "warn" if level == "ok" else level
            lines.append(f"党员{members.total}名，超过50名，宜分设党支部。")
        checks.append(Check("setup", "设立条件与规模", SOURCES["setup"], level, lines))
    elif org.kind in (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH):
        total = members.total
        if total >= engine.PARTY_COMMITTEE_MEMBERS:
            fits, should = OrgKind.PARTY_COMMITTEE, "党员100名以上，应设立基层党委"
        elif total >= engine.GENERAL_BRANCH_MEMBERS:
            fits, should = OrgKind.GENERAL_BRANCH, "党员50至99名，可设立党总支"
        else:
            fits, should = OrgKind.BRANCH, "党员不足50名，设立党支部即可"
        level = "ok" if fits == org.kind else "warn"
        checks.append(
            Check(
                "structure",
                "组织设置",
                SOURCES["structure"],
                level,
                [
                    f"截至{on}，下属党员{total}名（正式党员{members.full}名，预备党员{members.probationary}名）。",
                    f"{should}；本组织现为{org.get_kind_display()}。",
                    "默认阈值：100名以上设基层党委，50至99名设党总支（条文在恰好100名处表述不一，各院可另行掌握）。",
                ],
            )
        )
    # The committee and its term, as the committees module records them (R1.3, R1.4).
    checks += committee_hooks.health_checks(
        org, day, scope, members.full, report.committee_months(org)
    )
    return checks


def _obligation_lines(report: Report) -> list[ObligationLine]:
    """One line per organisation and obligation: its periods as chips, the records counted."""
    ids = {pk for r in report.rows for pk in r.activity_ids}
    activities = {
        a.pk: a for a in Activity.objects.filter(pk__in=ids).only("id", "title", "on", "kind")
    }
    records_base = reverse("activities:list")
    by_line: dict[tuple[int, str], list[Due]] = {}
    for r in report.rows:
        by_line.setdefault((r.org.pk, r.obligation.code), []).append(r)
    lines: list[ObligationLine] = []
    for (_, _), dues in by_line.items():
        obligation = dues[0].obligation
        period = dues[0].span.period
        counted = sorted(
            {pk for r in dues for pk in r.activity_ids}, key=lambda pk: activities[pk].on
        )
        chips = format_html_join(
            "",
            "{}",
            (
                (
                    format_html(
                        '<a class="chip st-{}" href="{}" title="{}：{}（{}）">{} {}/{}</a>',
                        r.status,
                        _records_url(records_base, r),
                        r.span.code,
                        r.tally,
                        r.status_name,
                        _period_label(r),
                        r.held,
                        r.required,
                    ),
                )
                for r in dues
            ),
        )
        rhythm = f"{RHYTHM[Period(period)]}至少{dues[0].required}次"
        if dues[0].by_pairs:
            rhythm = "每名支部委员与本支部每名党员（含支部委员之间）每年至少谈心谈话1次"
        lines.append(
            ObligationLine(
                dues[0].org,
                obligation,
                rhythm,
                SOURCES.get(obligation.code, ""),
                chips,
                sum(r.status == engine.MET for r in dues),
                sum(r.status != engine.UPCOMING for r in dues),
                [activities[pk] for pk in counted if pk in activities],
            )
        )
    return lines


def _period_label(due: Due) -> str:
    if due.span.period == Period.MONTH:
        return MONTHS[due.span.index - 1]
    if due.span.period == Period.QUARTER:
        return QUARTERS[due.span.index - 1]
    return "全年"


@dataclass
class SixItem:
    """One item of the center group's "六有" (R1.7), and what proves it."""

    name: str
    present: bool
    proof: list[tuple[str, str]]  # (label, url)
    gaps: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def six_have(org: Org, year: int) -> list[SixItem]:
    """R1.7: plan, a discussion record for each session, attendance, notes, articles, budget."""
    sessions = list(
        Activity.objects.filter(
            org=org,
            kind="center_group_study",
            status=ActivityStatus.HELD,
            on__gte=dt.date(year, 1, 1),
            on__lte=dt.date(year, 12, 31),
        )
        .annotate(attended=Count("attendance"))
        .only("id", "title", "on", "summary")
        .order_by("on", "id")
    )
    records = list(
        StudyRecord.objects.filter(org=org, year=year)
        .select_related("person", "evidence")
        .order_by("item", "id")
    )

    def detail(a: Activity) -> str:
        return reverse("activities:detail", args=[a.pk])

    def label(a: Activity) -> str:
        return f"{a.on:%m-%d} {a.title}"

    def proof_of(item: str) -> list[tuple[str, str]]:
        out = []
        for r in records:
            if r.item != item:
                continue
            text = r.title
            if r.person is not None:
                text = f"{r.person.name}：{text}"
            if r.amount is not None:
                text = f"{text}（{r.amount}元）"
            url = (
                reverse("activities:study_record_file", args=[org.code]) + f"?id={r.pk}"
                if r.evidence_id
                else ""
            )
            out.append((text, url))
        return out

    no_sessions = "本年度尚无已召开的中心组学习记录"
    discussed = [a for a in sessions if a.summary.strip()]
    undiscussed = [a for a in sessions if not a.summary.strip()]
    attended = [a for a in sessions if a.attended]  # type: ignore[attr-defined]
    unattended = [a for a in sessions if not a.attended]  # type: ignore[attr-defined]
    budget = sum(
        (r.amount or Decimal(0) for r in records if r.item == StudyItem.BUDGET), Decimal(0)
    )
    return [
        SixItem(
            "有年度学习计划",
            any(r.item == StudyItem.PLAN for r in records),
            proof_of(StudyItem.PLAN),
        ),
        SixItem(
            "有每次学习的研讨记录",
            bool(sessions) and not undiscussed,
            [(label(a), detail(a)) for a in discussed],
            [(label(a) + "（未填写会议记录）", detail(a)) for a in undiscussed],
            "" if sessions else no_sessions,
        ),
        SixItem(
            "有考勤记录",
            bool(sessions) and not unattended,
            [(f"{label(a)}（{a.attended}人次）", detail(a)) for a in attended],  # type: ignore[attr-defined]
            [(label(a) + "（未登记出勤）", detail(a)) for a in unattended],
            "" if sessions else no_sessions,
        ),
        SixItem(
            "有个人学习笔记",
            any(r.item == StudyItem.NOTES for r in records),
            proof_of(StudyItem.NOTES),
        ),
        SixItem(
            "有心得体会文章",
            any(r.item == StudyItem.ARTICLE for r in records),
            proof_of(StudyItem.ARTICLE),
        ),
        SixItem(
            "有专项经费",
            any(r.item == StudyItem.BUDGET for r in records),
            proof_of(StudyItem.BUDGET),
            note=f"合计{budget}元" if budget else "",
        ),
    ]


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


# ---------------------------------------------------------------------------------------
# 谈心谈话 on the health page (D5)


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
        self.fields["talker"].choices = [("", "请选择")] + choices  # type: ignore[attr-defined]
        self.fields["members"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        talker, members = data.get("talker"), data.get("members") or []
        if talker is not None and talker in members:
            members = [m for m in members if m != talker]
            data["members"] = members
        if talker is not None and not members and "members" not in self.errors:
            self.add_error("members", "请至少选择一名谈话对象（谈话人本人除外）")
        return data


@dataclass
class HeartTalkSection:
    """What the health page says of a branch's 谈心谈话: the pairs still missing, a form."""

    by_pairs: bool
    due: Due | None
    committee: list[Person]
    members: list[Person]
    missing: list[tuple[Person, list[Person], str]]  # talker, with whom, link to record it
    form: HeartTalkForm | None
    committee_link: str = ""


def _talk_people(org: Org, day: dt.date) -> tuple[list[Person], set[int]]:
    """The committee (书记 first), then the party members placed in the branch on `day`.

    Returns the people and the committee's ids.
    """
    seats = committee_hooks.seats_on([org], day).get(org.pk, [])
    placed = Placement.objects.filter(placed_on(day), kind=PlacementKind.PARTY_ORG, org=org).values(
        "person_id"
    )
    members = list(
        Person.objects.filter(pk__in=placed, political_status__in=PARTY_STATUSES).order_by(
            "employee_no"
        )
    )
    seen = {p.pk for p in seats}
    return [*seats, *(p for p in members if p.pk not in seen)], seen


def _heart_talk_section(
    request: HttpRequest,
    org: Org,
    year: int,
    report: Report,
    form: HeartTalkForm | None,
) -> HeartTalkSection:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    day = max(min(report.as_of, dt.date(year, 12, 31)), dt.date(year, 1, 1))
    people, seated = _talk_people(org, day)
    matrix: TalkMatrix | None = report.talks.get(org.pk)
    due = next(
        (r for r in report.rows if r.org.pk == org.pk and r.obligation.code == "heart_talk"), None
    )
    known = {p.pk: p for p in people}
    if matrix is not None:
        missing_ids = {pk for pair in matrix.missing for pk in pair}
        known.update((p.pk, p) for p in Person.objects.filter(pk__in=missing_ids - set(known)))
    health = _health_url(org, year)
    missing = []
    if matrix is not None:
        for talker, others in matrix.missing_by_talker():
            missing.append(
                (
                    known[talker],
                    [known[m] for m in others if m in known],
                    f"{health}&talker={talker}#heart-talk",
                )
            )
    committee_ids = (set(matrix.committee) if matrix is not None else set()) | seated
    if form is None and scope.can("activities.record"):
        talker = request.GET.get("talker", "")
        initial: dict[str, object] = {"year": year, "on": min(timezone.localdate(), day)}
        if talker.isdigit() and matrix is not None:
            chosen = int(talker)
            initial["talker"] = chosen
            initial["members"] = [
                m if c == chosen else c for c, m in matrix.missing if chosen in (c, m)
            ]
        form = HeartTalkForm(people, committee_ids, initial=initial)
    return HeartTalkSection(
        by_pairs=matrix is not None,
        due=due,
        committee=[p for p in people if p.pk in committee_ids],
        members=people,
        missing=missing,
        form=form,
        committee_link=reverse("committees:branch", args=[org.code])
        if scope.can("membership.view")
        else "",
    )


def _health_context(
    request: HttpRequest,
    org: Org,
    year: int,
    form: StudyRecordForm | None = None,
    talk_form: HeartTalkForm | None = None,
) -> dict[str, object]:
    scope: Scope = request.scope  # type: ignore[attr-defined]
    as_of = default_as_of(year)
    # A branch answers for its party groups too; a committee's branches have their own pages.
    report = compliance(org, year, as_of, descendants=org.kind == OrgKind.BRANCH, with_ids=True)
    day = min(as_of, dt.date(year, 12, 31))
    context: dict[str, object] = {
        "org": org,
        "year": year,
        "years": _years(),
        "as_of": as_of,
        "report": report,
        "summary": report.summary,
        "checks": _membership_checks(org, day, report, scope),
        "obligations": _obligation_lines(report),
        "missing": [r for r in report.rows if r.status == MISSING],
        "sources": SOURCES,
        "matrix_url": reverse("activities:compliance")
        + "?"
        + urlencode({"org": org.code, "year": year}),
        "breadcrumbs": [
            ("组织生活合规", reverse("activities:compliance")),
            (f"{org.name} · 体检", None),
        ],
    }
    if org.kind in OBLIGATIONS["heart_talk"].holders:
        context["talks"] = _heart_talk_section(request, org, year, report, talk_form)
    if org.kind == OrgKind.LEADING_GROUP:
        context["six"] = six_have(org, year)
        if scope.can("activities.record"):
            context["study_form"] = form or StudyRecordForm(org, scope, initial={"year": year})
    return context


def _party_org(request: HttpRequest, code: str) -> Org:
    org = get_scoped(request.scope, Org.objects.all(), code=code)  # type: ignore[attr-defined]
    if org.kind not in PARTY_KINDS:
        raise Http404
    return org


@requires("compliance.view")
def health(request: HttpRequest, code: str) -> HttpResponse:
    """支部体检: R1.1–R1.5 and D5 for a branch, R1.2–R1.5 for a committee, R1.5/R1.7 for the 党组."""
    org = _party_org(request, code)
    return render(request, "activities/health.html", _health_context(request, org, _year(request)))


@requires("activities.record")
def add_study_record(request: HttpRequest, code: str) -> HttpResponse:
    """Add a record to the center group's "六有" (R1.7) from the health page."""
    org = _party_org(request, code)
    # Scope first, then the method: an outsider learns nothing, not even that this is a form.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if org.kind != OrgKind.LEADING_GROUP:
        raise Http404
    scope: Scope = request.scope  # type: ignore[attr-defined]
    form = StudyRecordForm(org, scope, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            record = do_add_study_record(
                request.user,
                org,
                year=data["year"],
                item=data["item"],
                title=data["title"],
                person=form.person,
                amount=data["amount"],
                file_name=upload.name if upload else "",
                content=upload.read() if upload else None,
                content_type=(mimetypes.guess_type(upload.name)[0] or "") if upload else "",
            )
        except ValidationError as e:
            for name, errs in e.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
        else:
            messages.success(request, f"已登记{record.get_item_display()}：{record.title}。")
            return redirect(_health_url(org, record.year) + "#six-have")
    year = form.cleaned_data.get("year") or _year(request)
    return render(
        request, "activities/health.html", _health_context(request, org, year, form), status=400
    )


@requires("activities.record")
def add_heart_talk(request: HttpRequest, code: str) -> HttpResponse:
    """Record a 谈心谈话 (D5) from the branch's health page: the talker and whom they talked with."""
    org = _party_org(request, code)
    # Scope first, then the method: an outsider learns nothing, not even that this is a form.
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if org.kind not in OBLIGATIONS["heart_talk"].holders:
        raise Http404
    year = _year(request)
    if str(request.POST.get("year", "")).isdigit():
        year = int(request.POST["year"])
    if not 2000 <= year <= timezone.localdate().year + 1:
        year = timezone.localdate().year
    day = max(min(default_as_of(year), dt.date(year, 12, 31)), dt.date(year, 1, 1))
    people, seated = _talk_people(org, day)
    form = HeartTalkForm(people, seated, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = do_record_heart_talk(
                request.user,
                org,
                on=data["on"],
                talker=form.people[data["talker"]],
                members=[form.people[pk] for pk in data["members"]],
                location=data["location"],
                summary=data["summary"],
            )
        except ValidationError as e:
            for name, errs in e.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
        else:
            others = len(data["members"])
            messages.success(request, f"已登记谈心谈话：{record.title}（谈话对象{others}人）。")
            return redirect(_health_url(org, record.on.year) + "#heart-talk")
    return render(
        request,
        "activities/health.html",
        _health_context(request, org, year, talk_form=form),
        status=400,
    )


@requires("compliance.view")
def study_record_file(request: HttpRequest, code: str) -> HttpResponse:
    """The file proving one "六有" record; without a record named, back to the health page."""
    org = _party_org(request, code)
    record_id = request.GET.get("id", "")
    if not record_id.isdigit():
        return redirect(_health_url(org, _year(request)) + "#six-have")
    item = get_scoped(
        request.scope,  # type: ignore[attr-defined]
        StudyRecord.objects.select_related("evidence").filter(org=org),
        pk=int(record_id),
    )
    if item.evidence is None:
        raise Http404
    content_type = mimetypes.guess_type(item.evidence_name)[0] or "application/octet-stream"
    try:
        handle = item.evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=item.evidence_name or "file",
        content_type=content_type,
    )


routes: list[URLPattern] = [
    path("compliance/", matrix, name="compliance"),
    path("compliance/export/", export, name="compliance_export"),
    path("health/<str:code>/", health, name="health"),
    path("health/<str:code>/study-records/", add_study_record, name="study_record_add"),
    path("health/<str:code>/heart-talks/", add_heart_talk, name="heart_talk_add"),
    path("health/<str:code>/study-records/file/", study_record_file, name="study_record_file"),
]
