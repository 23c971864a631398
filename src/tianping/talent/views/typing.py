"""Pages of the stenography test (速录测试): the part's page, reference texts, exams, taking a
test, its result, an exam's results (table, workbook, printable sheet). Thin: reads in
`queries.typing`, writes in `actions.typing`, scoring in `talent.typing`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.sheets import table_bytes
from tianping.people.models import Person
from tianping.talent.actions import typing as actions
from tianping.talent.models import PassRule, TextKind, TypingExam, TypingText
from tianping.talent.queries import typing as queries

# The largest log batch a page may send (bytes of JSON).
MAX_BATCH_BYTES = 2_000_000


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("人才与荣誉", reverse("talent:home")),
        ("速录测试", reverse("talent:typing_home")),
        *extra,
    ]


def _exam(request: AuthenticatedHttpRequest, typing_exam_id: int) -> TypingExam:
    return get_scoped(
        request.scope, TypingExam.objects.select_related("court", "text"), pk=typing_exam_id
    )


@requires("talent.view")
def typing_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    person = request.user.person
    if person is not None:
        actions.close_overdue(person=person)
    can_manage = request.scope.can("talent.manage")
    return render(
        request,
        "talent/typing/home.html",
        {
            "mine": queries.my_exams(request.user.person_id),
            "attempts": queries.my_attempts(request.user.person_id, 20),
            "practice": queries.practice_texts(request.scope, person)[:20],
            "exams": [] if request.scope.self_only else queries.exams(request.scope)[:100],
            "can_manage": can_manage,
            "has_person": person is not None,
            "levels": actions.levels(),
            "breadcrumbs": _crumbs(),
        },
    )


@requires("talent.view")
def pending(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The card's fragment on 人才与荣誉's page: the exams waiting for this person."""
    mine = [m for m in queries.my_exams(request.user.person_id) if m.pending]
    return render(request, "talent/typing/_pending.html", {"pending": mine})


# ---------------------------------------------------------------------------------------
# Reference texts (talent.manage)


class TextForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    title = forms.CharField(label="标题", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=TextKind.choices)
    body = forms.CharField(
        label="正文",
        max_length=actions.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="数百至三千字的裁判文书或庭审笔录片段；评分时忽略空格与换行，全角半角视为相同",
    )
    for_practice = forms.BooleanField(label="供干警日常练习", required=False)

    def __init__(self, courts: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]  # type: ignore[attr-defined]


@requires("talent.manage")
def text_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    courts = uploads.courts_of(request)
    form = TextForm(courts, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            text = actions.do_create_text(
                request.user,
                uploads.court_of(request, data["court"]),
                title=data["title"],
                kind=data["kind"],
                body=data["body"],
                for_practice=data["for_practice"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已登记范文“{text.title}”，计{text.chars}字")
            return redirect("talent:typing_texts")
    return render(
        request,
        "talent/typing/texts.html",
        {
            "texts": queries.texts(request.scope)[:200],
            "form": form,
            "breadcrumbs": _crumbs(("范文", None)),
        },
    )


@requires("talent.manage")
def text_detail(request: AuthenticatedHttpRequest, typing_text_id: int) -> HttpResponse:
    text = get_scoped(request.scope, TypingText.objects.select_related("court"), pk=typing_text_id)
    return render(
        request,
        "talent/typing/text.html",
        {
            "text": text,
            "breadcrumbs": _crumbs(("范文", reverse("talent:typing_texts")), (text.title, None)),
        },
    )


# ---------------------------------------------------------------------------------------
# Exams


class ExamForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    title = forms.CharField(label="考核名称", max_length=200)
    text = forms.IntegerField(label="范文编号", min_value=1, help_text="见“范文”列表中的编号")
    minutes = forms.IntegerField(label="测试时长（分钟）", min_value=1, max_value=60, initial=10)
    pass_rule = forms.ChoiceField(label="合格标准", choices=PassRule.choices)
    pass_cpm = forms.IntegerField(
        label="合格速度（字/分钟）", min_value=1, max_value=400, required=False, initial=80
    )
    pass_accuracy = forms.IntegerField(
        label="合格正确率（%）", min_value=0, max_value=100, initial=95
    )
    pass_level = forms.ChoiceField(label="合格等级", required=False)
    opens_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label="截止时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    all_clerks = forms.BooleanField(label="本院全体书记员", required=False, initial=True)
    people = forms.CharField(
        label="另选参考人员",
        max_length=4000,
        required=False,
        help_text="工号，以“、”、逗号或空格分隔",
    )

    def __init__(self, courts: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]  # type: ignore[attr-defined]
        self.fields["pass_level"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (n, n) for n in actions.level_names()
        ]


def _employee_numbers(text: str) -> list[str]:
    for sep in "、，,;；\n\r\t":
        text = text.replace(sep, " ")
    return [t for t in text.split() if t][:500]


@requires("talent.manage")
def exam_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    courts = uploads.courts_of(request)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"opens_at": now, "closes_at": now + dt.timedelta(days=7)}
    form = ExamForm(courts, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        court = uploads.court_of(request, data["court"])
        text = scoped(request.scope, TypingText.objects.filter(pk=data["text"])).first()
        people: list[Person] = actions.clerks_of(court) if data["all_clerks"] else []
        numbers = _employee_numbers(data["people"])
        found = list(
            scoped(request.scope, Person.objects.filter(court=court, employee_no__in=numbers))
        )
        unknown = sorted(set(numbers) - {p.employee_no for p in found})
        if text is None:
            form.add_error("text", "找不到该范文，或不在您的范围内")
        elif unknown:
            form.add_error("people", f"本院没有这些工号：{'、'.join(unknown[:10])}")
        else:
            try:
                exam = actions.do_create_exam(
                    request.user,
                    court,
                    title=data["title"],
                    text=text,
                    duration_seconds=data["minutes"] * 60,
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    people=[*people, *found],
                    pass_rule=data["pass_rule"],
                    pass_cpm=data["pass_cpm"],
                    pass_accuracy=data["pass_accuracy"],
                    pass_level=data["pass_level"] or "",
                )
            except ValidationError as e:
                add_errors(form, e, {"duration_seconds": "minutes"})
            else:
                messages.success(request, f"已发布速录考核“{exam.title}”")
                return redirect("talent:typing_exam", typing_exam_id=exam.pk)
    return render(
        request,
        "talent/typing/exam_new.html",
        {
            "form": form,
            "texts": queries.texts(request.scope)[:200],
            "breadcrumbs": _crumbs(("发布考核", None)),
        },
    )


@requires("talent.view")
def exam_detail(request: AuthenticatedHttpRequest, typing_exam_id: int) -> HttpResponse:
    exam = _exam(request, typing_exam_id)
    actions.close_overdue(exam=exam)
    person_id = request.user.person_id
    mine = next((m for m in queries.my_exams(person_id) if m.exam.pk == exam.pk), None)
    return render(
        request,
        "talent/typing/exam.html",
        {
            "exam": exam,
            "state": actions.exam_state(exam),
            "mine": mine,
            "candidates": exam.candidates.count(),
            "can_see_results": not request.scope.self_only,
            "breadcrumbs": _crumbs((exam.title, None)),
        },
    )


@requires("talent.view")
def exam_start(request: AuthenticatedHttpRequest, typing_exam_id: int) -> HttpResponse:
    exam = _exam(request, typing_exam_id)
    if request.method != "POST":
        return redirect("talent:typing_exam", typing_exam_id=exam.pk)
    person = request.user.person
    if person is None:
        raise PermissionDenied("no person")
    try:
        attempt = actions.do_start_attempt(request.user, person, exam=exam)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("talent:typing_exam", typing_exam_id=exam.pk)
    return redirect("talent:typing_attempt", typing_attempt_id=attempt.pk)


@requires("talent.view")
def practice_start(request: AuthenticatedHttpRequest, typing_text_id: int) -> HttpResponse:
    text = get_scoped(
        request.scope, TypingText.objects.filter(for_practice=True), pk=typing_text_id
    )
    if request.method != "POST":
        return redirect("talent:typing_home")
    person = request.user.person
    if person is None:
        raise PermissionDenied("no person")
    try:
        attempt = actions.do_start_attempt(request.user, person, text=text)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("talent:typing_home")
    return redirect("talent:typing_attempt", typing_attempt_id=attempt.pk)


# ---------------------------------------------------------------------------------------
# Taking a test and its result


def _attempt_crumbs(attempt: Any) -> list[tuple[str, str | None]]:
    if attempt.exam_id:
        return _crumbs(
            (attempt.exam.title, reverse("talent:typing_exam", args=[attempt.exam_id])),
            (attempt.person.name, None),
        )
    return _crumbs((f"练习：{attempt.text.title}", None))


@requires("talent.view")
def attempt_page(request: AuthenticatedHttpRequest, typing_attempt_id: int) -> HttpResponse:
    """An open sitting: the test page (its own person only); a closed one: its result."""
    attempt = queries.attempt_for(request.scope, typing_attempt_id)
    if attempt is None:
        raise Http404
    own = attempt.person_id == request.user.person_id
    if attempt.is_open:
        actions.close_overdue(person=attempt.person)
        attempt.refresh_from_db()
    if attempt.is_open:
        if not own:
            raise PermissionDenied("someone else's open test")
        now = timezone.now()
        return render(
            request,
            "talent/typing/take.html",
            {
                "attempt": attempt,
                "elapsed_ms": max(int((now - attempt.started_at).total_seconds() * 1000), 0),
                "duration_ms": attempt.duration_seconds * 1000,
                "held": attempt.events_received,
                "held_refusals": attempt.refusals_received,
                "breadcrumbs": _attempt_crumbs(attempt),
            },
        )
    return render(
        request,
        "talent/typing/result.html",
        {
            "attempt": attempt,
            "own": own,
            "refusals": [
                {**r, "label": actions.REFUSAL_KINDS.get(r.get("kind", ""), "")}
                for r in attempt.refusals[:50]
            ],
            "breadcrumbs": _attempt_crumbs(attempt),
        },
    )


@requires("talent.view")
def attempt_log(request: AuthenticatedHttpRequest, typing_attempt_id: int) -> HttpResponseBase:
    """A batch of the page's input log (JSON); the answer says what the server now holds."""
    attempt = queries.attempt_for(request.scope, typing_attempt_id)
    if attempt is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if attempt.person_id != request.user.person_id:
        raise PermissionDenied("someone else's test")
    if len(request.body) > MAX_BATCH_BYTES:
        return JsonResponse({"error": "录入记录过大"}, status=413)
    try:
        batch = json.loads(request.body)
        start = int(batch.get("start", 0))
        refused_start = int(batch.get("refused_start", 0))
        events = batch.get("events", [])
        refused = batch.get("refused", [])
        final = bool(batch.get("final", False))
        if not isinstance(events, list) or not isinstance(refused, list):
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": "录入记录格式有误"}, status=400)
    attempt = actions.do_save_log(
        request.user,
        attempt,
        start=max(start, 0),
        events=events,
        refused_start=max(refused_start, 0),
        refused=refused,
        final=final,
    )
    return JsonResponse(
        {
            "held": attempt.events_received,
            "held_refusals": attempt.refusals_received,
            "open": attempt.is_open,
            "result": reverse("talent:typing_attempt", args=[attempt.pk]),
        }
    )


# ---------------------------------------------------------------------------------------
# An exam's results


def _results(request: AuthenticatedHttpRequest, typing_exam_id: int) -> queries.ExamResults:
    exam = _exam(request, typing_exam_id)
    if request.scope.self_only:
        raise PermissionDenied("a member sees their own result")
    actions.close_overdue(exam=exam)
    return queries.exam_results(request.scope, exam)


@requires("talent.view")
def exam_results(request: AuthenticatedHttpRequest, typing_exam_id: int) -> HttpResponse:
    results = _results(request, typing_exam_id)
    exam = results.exam
    return render(
        request,
        "talent/typing/results.html",
        {
            "exam": exam,
            "results": results,
            "breadcrumbs": _crumbs(
                (exam.title, reverse("talent:typing_exam", args=[exam.pk])), ("成绩", None)
            ),
        },
    )


RESULT_HEADERS = [
    "工号",
    "姓名",
    "部门",
    "状态",
    "录入字数",
    "正确",
    "错字",
    "漏字",
    "多字",
    "正确率",
    "速度（字/分钟）",
    "等级",
    "是否合格",
    "拒绝粘贴次数",
]


@requires("talent.view")
def exam_export(request: AuthenticatedHttpRequest, typing_exam_id: int) -> HttpResponseBase:
    results = _results(request, typing_exam_id)

    def rows() -> Any:
        for row in results.rows:
            a = row.attempt
            closed = a is not None and not a.is_open
            yield [
                row.person.employee_no,
                row.person.name,
                row.person.department.name if row.person.department else "",
                row.status,
                a.typed_chars if closed and a else "",
                a.correct if closed and a else "",
                a.wrong if closed and a else "",
                a.missing if closed and a else "",
                a.extra if closed and a else "",
                a.accuracy_percent if closed and a else "",
                float(a.cpm) if closed and a else "",
                (a.level or "未达等级") if closed and a else "",
                ("合格" if a.passed else "不合格") if closed and a else "",
                len(a.refusals) if a else "",
            ]

    return uploads.xlsx_download(
        table_bytes(RESULT_HEADERS, rows(), title="速录成绩"),
        f"速录成绩-{results.exam.pk}.xlsx",
    )


@requires("talent.view")
def exam_sheet(request: AuthenticatedHttpRequest, typing_exam_id: int) -> HttpResponse:
    results = _results(request, typing_exam_id)
    return render(
        request,
        "talent/typing/sheet.html",
        {"exam": results.exam, "results": results, "printed_on": timezone.localdate()},
    )


routes: list[URLPattern] = [
    path("typing/", typing_home, name="typing_home"),
    path("typing/pending/", pending, name="typing_pending"),
    path("typing/texts/", text_list, name="typing_texts"),
    path("typing/texts/<int:typing_text_id>/", text_detail, name="typing_text"),
    path("typing/texts/<int:typing_text_id>/practice/", practice_start, name="typing_practice"),
    path("typing/exams/new/", exam_new, name="typing_exam_new"),
    path("typing/exams/<int:typing_exam_id>/", exam_detail, name="typing_exam"),
    path("typing/exams/<int:typing_exam_id>/start/", exam_start, name="typing_exam_start"),
    path("typing/exams/<int:typing_exam_id>/results/", exam_results, name="typing_results"),
    path("typing/exams/<int:typing_exam_id>/results/export/", exam_export, name="typing_export"),
    path("typing/exams/<int:typing_exam_id>/sheet/", exam_sheet, name="typing_sheet"),
    path("typing/attempts/<int:typing_attempt_id>/", attempt_page, name="typing_attempt"),
    path("typing/attempts/<int:typing_attempt_id>/log/", attempt_log, name="typing_log"),
]
