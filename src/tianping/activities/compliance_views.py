"""Compliance pages: the subtree matrix and the branch health check (支部体检)."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
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
from tianping.activities import compliance as engine
from tianping.activities.compliance import (
    COMMITTEE_THRESHOLD,
    MISSING,
    Due,
    Report,
    compliance,
    default_as_of,
    membership_on,
)
from tianping.activities.forms import MAX_EVIDENCE_BYTES
from tianping.activities.kinds import OBLIGATIONS, Obligation, Period
from tianping.activities.models import Activity, ActivityStatus, StudyItem, StudyRecord
from tianping.activities.study_records import do_add_study_record
from tianping.activities.views import INLINE_TYPES
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import COURT_KINDS, PARTY_KINDS, Org, OrgKind
from tianping.people.models import Person

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
            href = escape(self.health) + "#r15"
        else:
            href = (
                f"{self.records}&amp;kind={due.kind}"
                f"&amp;start={due.span.start.isoformat()}&amp;end={due.span.end.isoformat()}"
            )
        name, short = self.names[due.obligation.code]
        return (
            f'<a class="chip st-{due.status}" href="{href}" '
            f'title="{name} {due.span.code}：{due.held}/{due.required} {due.status_name}">'
            f"{short} {due.held}/{due.required}</a>"
        )


# ---------------------------------------------------------------------------------------
# The matrix


@dataclass
class MatrixRow:
    org: Org
    indent: int
    section: bool
    health_url: str = ""
    months: list[SafeString] = field(default_factory=list)
    quarters: list[SafeString] = field(default_factory=list)
    year: SafeString = mark_safe("")
    owes: bool = False
    missing: int = 0

    @property
    def indent_em(self) -> str:
        return f"{self.indent * 1.25:.2f}"


def matrix_rows(report: Report, sections: list[Org], *, problems_only: bool) -> list[MatrixRow]:
    """One row per party organisation, with its cells by period; courts as headings."""
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
        months: list[list[str]] = [[] for _ in range(12)]
        quarters: list[list[str]] = [[] for _ in range(4)]
        year: list[str] = []
        missing = 0
        dues = by_org.get(org.pk, [])
        for due in dues:
            chip = maker.chip(due)
            missing += due.status == MISSING
            if due.span.period == Period.MONTH:
                months[due.span.index - 1].append(chip)
            elif due.span.period == Period.QUARTER:
                quarters[due.span.index - 1].append(chip)
            else:
                year.append(chip)
        rows.append(
            MatrixRow(
                org,
                indent,
                section=False,
                health_url=health,
                months=[_cell(c) for c in months],
                quarters=[_cell(c) for c in quarters],
                year=_cell(year),
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
    problems_only = request.GET.get("problems") == "1"
    report = compliance(root, year, default_as_of(year))
    rows = matrix_rows(report, _sections(root), problems_only=problems_only)
    query = urlencode({"org": root.code, "year": year})
    return render(
        request,
        "activities/compliance.html",
        {
            "root": root,
            "year": year,
            "years": _years(),
            "report": report,
            "summary": report.summary,
            "rows": rows,
            "months": MONTHS,
            "quarters": QUARTERS,
            "problems_only": problems_only,
            "picker": _picker(request.scope, root),  # type: ignore[attr-defined]
            "export_url": reverse("activities:compliance_export") + f"?{query}",
            "legend": [(engine.SHORT_NAMES[o.code], o.name) for o in OBLIGATIONS.values()],
            "breadcrumbs": [("组织生活合规", None)],
        },
    )


EXPORT_HEADERS = ["组织代码", "组织名称", "制度", "周期", "应开展次数", "已开展次数", "状态"]


@requires("compliance.view")
def export(request: HttpRequest) -> HttpResponse:
    """The matrix as a sheet: one row per organisation, obligation and period."""
    root = _root(request)
    year = _year(request)
    report = compliance(root, year, default_as_of(year))
    rows = (
        [r.org.code, r.org.name, r.kind_name, r.span.code, r.required, r.held, r.status_name]
        for r in report.rows
    )
    return FileResponse(
        table_bytes(EXPORT_HEADERS, rows, title=f"{year}年组织生活合规"),
        as_attachment=True,
        filename=f"组织生活合规-{root.name}-{year}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---------------------------------------------------------------------------------------
# The health check of one party organisation (支部体检)


@dataclass
class Check:
    rule: str
    title: str
    level: str  # ok / warn / bad / info
    lines: list[str]


@dataclass
class ObligationLine:
    org: Org
    obligation: Obligation
    rhythm: str
    chips: SafeString
    met: int
    due: int
    activities: list[Activity]


def _membership_checks(org: Org, day: dt.date, report: Report) -> list[Check]:
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
        checks.append(Check("R1.1", "设立条件与规模", level, lines))
        months = report.committee_months(org)
        must = members.full >= COMMITTEE_THRESHOLD
        lines = [
            f"正式党员{members.full}名，"
            + (
                "应设立支部委员会（委员3至5名，最多不超过7名：书记、组织委员、宣传委员、纪检委员，可设副书记）。"
                if must
                else "不足7名，不设支部委员会，设书记1名，必要时设副书记1名。"
            )
        ]
        if months and len(months) < 12:
            lines.append(
                "本年度应召开支委会的月份："
                + "、".join(f"{m}月" for m in months)
                + "（按各月末正式党员人数计）。"
            )
        lines.append("支部委员会成员名单随支部委员会模块登记，本页暂不显示。")
        checks.append(Check("R1.3", "支部委员会", "info", lines))
        checks.append(
            Check(
                "R1.4",
                "任期与换届",
                "info",
                [
                    "支部委员会每届任期3年，到期应按期换届，经批准可延期或提前，一般不超过1年；到期前90天提醒。",
                    "换届选举记录随支部委员会模块登记，本页暂无换届数据。",
                ],
            )
        )
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
                "R1.2",
                "组织设置",
                level,
                [
                    f"截至{on}，下属党员{total}名（正式党员{members.full}名，预备党员{members.probationary}名）。",
                    f"{should}；本组织现为{org.get_kind_display()}。",
                    "默认阈值：100名以上设基层党委，50至99名设党总支（条文在恰好100名处表述不一，各院可另行掌握）。",
                ],
            )
        )
        term = "5年" if org.kind == OrgKind.PARTY_COMMITTEE else "3年"
        checks.append(
            Check(
                "R1.4",
                "任期与换届",
                "info",
                [
                    f"{org.get_kind_display()}每届任期{term}，到期前90天提醒。",
                    "换届选举记录随委员会模块登记，本页暂无换届数据。",
                ],
            )
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
                        '<a class="chip st-{}" href="{}" title="{}：已开展{}次，应开展{}次（{}）">{} {}/{}</a>',
                        r.status,
                        _records_url(records_base, r),
                        r.span.code,
                        r.held,
                        r.required,
                        r.status_name,
                        _period_label(r),
                        r.held,
                        r.required,
                    ),
                )
                for r in dues
            ),
        )
        lines.append(
            ObligationLine(
                dues[0].org,
                obligation,
                f"{RHYTHM[Period(period)]}至少{dues[0].required}次",
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
                .filter(employee_no=number)
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


def _health_context(
    request: HttpRequest, org: Org, year: int, form: StudyRecordForm | None = None
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
        "checks": _membership_checks(org, day, report),
        "obligations": _obligation_lines(report),
        "missing": [r for r in report.rows if r.status == MISSING],
        "matrix_url": reverse("activities:compliance")
        + "?"
        + urlencode({"org": org.code, "year": year}),
        "breadcrumbs": [
            ("组织生活合规", reverse("activities:compliance")),
            (f"{org.name} · 体检", None),
        ],
    }
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
    """支部体检: R1.1–R1.5 for a branch, R1.2/R1.5 for a committee, R1.5/R1.7 for the 党组."""
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
            return redirect(_health_url(org, record.year) + "#r17")
    year = form.cleaned_data.get("year") or _year(request)
    return render(
        request, "activities/health.html", _health_context(request, org, year, form), status=400
    )


@requires("compliance.view")
def study_record_file(request: HttpRequest, code: str) -> HttpResponse:
    """The file proving one "六有" record; without a record named, back to the health page."""
    org = _party_org(request, code)
    record_id = request.GET.get("id", "")
    if not record_id.isdigit():
        return redirect(_health_url(org, _year(request)) + "#r17")
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
    path("health/<str:code>/study-records/file/", study_record_file, name="study_record_file"),
]
