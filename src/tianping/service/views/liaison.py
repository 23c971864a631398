"""Pages of the liaison part (法官联系人): the ledger of assignments with a court's figures, an
assignment with its visits and matters, the matters list (超期 shown plainly), a matter with
its handling, and the Excel export. Thin: reads in `queries.liaison`, writes in
`actions.liaison`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.lib.sheets import employee_no_q, tables_bytes
from tianping.orgs.models import Org
from tianping.people.models import Person
from tianping.service.actions import liaison as actions
from tianping.service.models.liaison import (
    OVERDUE_DAYS,
    ContactKind,
    LiaisonAssignment,
    Matter,
    MatterCategory,
)
from tianping.service.queries import liaison as queries

LIST_LIMIT = 300
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("服务与品牌", reverse("service:home")),
        ("法官联系人", reverse("service:liaison")),
        *extra,
    ]


def _court(request: AuthenticatedHttpRequest) -> Org | None:
    code = picked_key(request.GET.get("court", ""))[:40]
    if not code:
        return None
    return get_scoped(request.scope, Org.objects.courts(), code=code)


def _judge(request: AuthenticatedHttpRequest, number: str) -> Person | None:
    """A serving person in scope by 工号 (or "姓名（工号）" from a picker)."""
    number = picked_key(number)[:30]
    if not number:
        return None
    return scoped(request.scope, Person.objects.serving().filter(employee_no_q(number))).first()


class AssignForm(forms.Form):
    judge = forms.CharField(label="联系法官工号", max_length=60)
    contact_kind = forms.ChoiceField(label="联系对象类别", choices=ContactKind.choices)
    contact_name = forms.CharField(
        label="联系对象", max_length=200, help_text="如：某某镇人民政府、某某商会、某某代表"
    )
    contact_person = forms.CharField(label="对方联系人", max_length=100, required=False)
    contact_phone = forms.CharField(label="对方联系电话", max_length=30, required=False)
    starts_on = forms.DateField(label="联系起始日", widget=DATE)
    ends_on = forms.DateField(label="联系截止日", required=False, widget=DATE)
    note = forms.CharField(label="备注", max_length=500, required=False)


class VisitForm(forms.Form):
    on = forms.DateField(label="走访日期", widget=DATE)
    title = forms.CharField(label="走访主题", max_length=200, required=False)
    location = forms.CharField(label="地点", max_length=200, required=False)
    summary = forms.CharField(
        label="走访情况", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    met = forms.IntegerField(
        label="接触群众/企业人数", min_value=0, max_value=100000, required=False
    )
    companions = forms.CharField(
        label="同行人员工号", max_length=300, required=False, help_text="多人用逗号或空格分隔"
    )
    matter_text = forms.CharField(
        label="反映的诉求",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="没有诉求可不填",
    )
    matter_category = forms.ChoiceField(
        label="诉求类别", choices=MatterCategory.choices, required=False
    )
    matter_by = forms.CharField(label="诉求提出人", max_length=100, required=False)


class MatterForm(forms.Form):
    raised_on = forms.DateField(label="提出日期", widget=DATE)
    text = forms.CharField(
        label="诉求内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label="诉求类别", choices=MatterCategory.choices)
    raised_by = forms.CharField(label="提出人", max_length=100)


class EndForm(forms.Form):
    ends_on = forms.DateField(label="联系截止日", widget=DATE)


class StepForm(forms.Form):
    on = forms.DateField(label="办理日期", widget=DATE)
    text = forms.CharField(
        label="办理情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    on = forms.DateField(label="办结日期", widget=DATE)
    result = forms.CharField(
        label="办理结果", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@requires("service.view")
def ledger(request: AuthenticatedHttpRequest) -> HttpResponse:
    """法官联系人台账: every assignment in scope with its visits and matters, the figures."""
    court = _court(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ContactKind.values else ""
    rows = list(queries.assignments(request.scope, court, kind)[:LIST_LIMIT])
    can_manage = request.scope.can("service.manage")
    form = AssignForm(initial={"starts_on": timezone.localdate()}) if can_manage else None
    if can_manage and request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            judge = _judge(request, data["judge"])
            if judge is None:
                form.add_error("judge", "找不到该工号的在职人员，或不在您的范围内")
            else:
                try:
                    assignment = actions.do_assign(
                        request.user,
                        judge,
                        contact_kind=data["contact_kind"],
                        contact_name=data["contact_name"],
                        contact_person=data["contact_person"],
                        contact_phone=data["contact_phone"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        note=data["note"],
                    )
                except ValidationError as e:
                    add_errors(form, e)
                else:
                    messages.success(request, f"已安排{assignment}")
                    return redirect("service:liaison_assignment", assignment_id=assignment.pk)
    return render(
        request,
        "service/liaison/ledger.html",
        {
            "court": court,
            "courts": uploads.courts_of(request),
            "kind": kind,
            "kinds": ContactKind.choices,
            "rows": rows,
            "figures": queries.figures(request.scope, court),
            "overdue_days": OVERDUE_DAYS,
            "form": form,
            "breadcrumbs": _crumbs(),
        },
    )


def _assignment(request: AuthenticatedHttpRequest, assignment_id: int) -> LiaisonAssignment:
    return get_scoped(
        request.scope,
        LiaisonAssignment.objects.select_related("judge", "court", "judge__party_org"),
        pk=assignment_id,
    )


def _assignment_page(
    request: AuthenticatedHttpRequest,
    assignment: LiaisonAssignment,
    visit_form: VisitForm | None = None,
    matter_form: MatterForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    can_record = request.scope.can("service.record")
    if can_record:
        visit_form = visit_form or VisitForm(initial={"on": today})
        matter_form = matter_form or MatterForm(initial={"raised_on": today})
    can_manage = request.scope.can("service.manage")
    return render(
        request,
        "service/liaison/assignment.html",
        {
            "a": assignment,
            "in_force": assignment.covers(today),
            "visits": list(queries.visits(request.scope, assignment)),
            "matters": queries.flagged(list(queries.matters(request.scope, assignment=assignment))),
            "visit_form": visit_form if can_record else None,
            "matter_form": matter_form if can_record else None,
            "end_form": EndForm(initial={"ends_on": today}) if can_manage else None,
            "overdue_days": OVERDUE_DAYS,
            "breadcrumbs": _crumbs((str(assignment), None)),
        },
    )


@requires("service.view")
def assignment_detail(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    return _assignment_page(request, _assignment(request, assignment_id))


def _companions(request: AuthenticatedHttpRequest, text: str, court_id: int) -> list[Person]:
    found = []
    for number in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        number = number.strip()
        if not number:
            continue
        person = Person.objects.serving().filter(employee_no_q(number), court_id=court_id).first()
        if person is None:
            raise ValidationError({"companions": f"找不到工号为{number}的本院在职人员"})
        found.append(person)
    return found


@requires("service.record")
def record_visit(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponseBase:
    assignment = _assignment(request, assignment_id)
    if request.method != "POST":
        return redirect("service:liaison_assignment", assignment_id=assignment.pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        raised = []
        if data["matter_text"].strip():
            raised.append(
                actions.RaisedMatter(
                    text=data["matter_text"],
                    category=data["matter_category"] or MatterCategory.OTHER,
                    raised_by=data["matter_by"] or assignment.contact_name,
                )
            )
        try:
            companions = _companions(request, data["companions"], assignment.judge.court_id)
            visit = actions.do_record_visit(
                request.user,
                assignment,
                on=data["on"],
                title=data["title"],
                location=data["location"],
                summary=data["summary"],
                met=data["met"],
                companions=companions,
                matters=raised,
            )
        except ValidationError as e:
            add_errors(
                form,
                e,
                {
                    "matter1_text": "matter_text",
                    "matter1_raised_by": "matter_by",
                    "matter1_category": "matter_category",
                },
            )
        else:
            note = f"，登记诉求{len(raised)}件" if raised else ""
            messages.success(request, f"已登记{visit.activity.on:%Y-%m-%d}的走访{note}")
            return redirect("service:liaison_assignment", assignment_id=assignment.pk)
    return _assignment_page(request, assignment, visit_form=form)


@requires("service.record")
def raise_matter(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponseBase:
    assignment = _assignment(request, assignment_id)
    if request.method != "POST":
        return redirect("service:liaison_assignment", assignment_id=assignment.pk)
    form = MatterForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            matter = actions.do_raise_matter(
                request.user,
                assignment,
                text=data["text"],
                category=data["category"],
                raised_by=data["raised_by"],
                raised_on=data["raised_on"],
            )
        except ValidationError as e:
            add_errors(form, e, {"on": "raised_on"})
        else:
            messages.success(request, "已登记诉求")
            return redirect("service:liaison_matter", matter_id=matter.pk)
    return _assignment_page(request, assignment, matter_form=form)


@requires("service.manage")
def end_assignment(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponseBase:
    assignment = _assignment(request, assignment_id)
    if request.method == "POST":
        form = EndForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写联系截止日")
        else:
            try:
                actions.do_end_assignment(request.user, assignment, form.cleaned_data["ends_on"])
            except ValidationError as e:
                messages.error(request, error_text(e))
            else:
                messages.success(request, "已结束联系")
    return redirect("service:liaison_assignment", assignment_id=assignment.pk)


@requires("service.view")
def matter_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """联系诉求: every matter in scope, 超期未办结 first and counted."""
    court = _court(request)
    state = request.GET.get("state", "")
    state = state if state in queries.MATTER_STATES else ""
    rows = queries.flagged(list(queries.matters(request.scope, court, state)[:LIST_LIMIT]))
    context = {
        "court": court,
        "courts": uploads.courts_of(request),
        "state": state,
        "states": queries.MATTER_STATES,
        "rows": rows,
        "figures": queries.figures(request.scope, court),
        "overdue_days": OVERDUE_DAYS,
        "breadcrumbs": _crumbs(("联系诉求", None)),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "service/liaison/_matters.html", context)
    return render(request, "service/liaison/matters.html", context)


def _matter(request: AuthenticatedHttpRequest, matter_id: int) -> Matter:
    return get_scoped(
        request.scope,
        Matter.objects.select_related(
            "assignment", "assignment__judge", "assignment__court", "visit__activity"
        ),
        pk=matter_id,
    )


def _matter_page(
    request: AuthenticatedHttpRequest,
    matter: Matter,
    step_form: StepForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    can_record = request.scope.can("service.record") and matter.is_open
    return render(
        request,
        "service/liaison/matter.html",
        {
            "m": matter,
            "overdue": matter.overdue_on(today),
            "age": matter.age_on(today),
            "steps": list(queries.steps(request.scope, matter)),
            "step_form": (step_form or StepForm(initial={"on": today})) if can_record else None,
            "close_form": (close_form or CloseForm(initial={"on": today})) if can_record else None,
            "overdue_days": OVERDUE_DAYS,
            "breadcrumbs": _crumbs(
                ("联系诉求", reverse("service:liaison_matters")), (f"诉求{matter.pk}", None)
            ),
        },
    )


@requires("service.view")
def matter_detail(request: AuthenticatedHttpRequest, matter_id: int) -> HttpResponse:
    return _matter_page(request, _matter(request, matter_id))


@requires("service.record")
def matter_step(request: AuthenticatedHttpRequest, matter_id: int) -> HttpResponseBase:
    matter = _matter(request, matter_id)
    if request.method != "POST":
        return redirect("service:liaison_matter", matter_id=matter.pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_step(
                request.user, matter, on=form.cleaned_data["on"], text=form.cleaned_data["text"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "已登记办理情况")
            return redirect("service:liaison_matter", matter_id=matter.pk)
    return _matter_page(request, matter, step_form=form)


@requires("service.record")
def matter_close(request: AuthenticatedHttpRequest, matter_id: int) -> HttpResponseBase:
    matter = _matter(request, matter_id)
    if request.method != "POST":
        return redirect("service:liaison_matter", matter_id=matter.pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_close_matter(
                request.user,
                matter,
                on=form.cleaned_data["on"],
                result=form.cleaned_data["result"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "诉求已办结")
            return redirect("service:liaison_matter", matter_id=matter.pk)
    return _matter_page(request, matter, close_form=form)


LEDGER_HEADERS = [
    "法院",
    "联系法官",
    "工号",
    "联系对象类别",
    "联系对象",
    "对方联系人",
    "联系期限",
    "走访次数",
    "诉求件数",
    "未办结",
    "超期未办结",
]
MATTER_HEADERS = [
    "法院",
    "联系法官",
    "联系对象",
    "提出日期",
    "提出人",
    "诉求类别",
    "诉求内容",
    "办理次数",
    "办结日期",
    "办理结果",
    "状态",
]


def _state(m: Any) -> str:
    if m.closed_on:
        return "已办结"
    return f"超期未办结（{m.age}天）" if m.overdue else "办理中"


@requires("service.view")
def export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The liaison ledger and its matters as one workbook (formula-safe cells)."""
    court = _court(request)
    today = timezone.localdate()
    rows: list[Any] = list(queries.assignments(request.scope, court))
    ledger_rows = [
        [
            a.court.name,
            a.judge.name,
            a.judge.employee_no,
            a.get_contact_kind_display(),
            a.contact_name,
            a.contact_person,
            a.period,
            a.visit_count,
            a.matter_count,
            a.open_count,
            a.overdue_count,
        ]
        for a in rows
    ]
    matters: list[Any] = queries.flagged(list(queries.matters(request.scope, court)), today)
    matter_rows = [
        [
            m.assignment.court.name,
            m.assignment.judge.name,
            m.assignment.contact_name,
            m.raised_on,
            m.raised_by,
            m.get_category_display(),
            m.text,
            m.step_count,
            m.closed_on,
            m.result,
            _state(m),
        ]
        for m in matters
    ]
    name = court.name if court else (request.scope.root_name or "全部")
    return uploads.xlsx_download(
        tables_bytes(
            [
                ("法官联系人台账", LEDGER_HEADERS, ledger_rows, None),
                ("联系诉求", MATTER_HEADERS, matter_rows, None),
            ]
        ),
        f"{name}法官联系人台账{today:%Y%m%d}.xlsx",
    )


routes: list[URLPattern] = [
    path("liaison/", ledger, name="liaison"),
    path("liaison/export/", export, name="liaison_export"),
    path("liaison/<int:assignment_id>/", assignment_detail, name="liaison_assignment"),
    path("liaison/<int:assignment_id>/visit/", record_visit, name="liaison_visit"),
    path("liaison/<int:assignment_id>/matter/", raise_matter, name="liaison_raise"),
    path("liaison/<int:assignment_id>/end/", end_assignment, name="liaison_end"),
    path("liaison/matters/", matter_list, name="liaison_matters"),
    path("liaison/matters/<int:matter_id>/", matter_detail, name="liaison_matter"),
    path("liaison/matters/<int:matter_id>/step/", matter_step, name="liaison_step"),
    path("liaison/matters/<int:matter_id>/close/", matter_close, name="liaison_close"),
]
