"""Pages of the quizzes part (应知应会测试): the list, a quiz, taking it, results, the
question bank and its sheet import, and a new quiz. Thin: reads in `queries.quizzes`,
writes in `actions.quizzes`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.learning.actions import quizzes as actions
from tianping.learning.models import Question, QuestionKind, Quiz
from tianping.learning.queries import quizzes as queries
from tianping.learning.quiz_import import (
    QUESTION_COLUMNS,
    QuestionPlan,
    parse_questions,
    question_template,
)
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.pickers import picked_key
from tianping.orgs.models import Org

SESSION_KEY = "tianping_question_imports"
PENDING = uploads.PendingUploads(SESSION_KEY)
PREVIEW_LIMIT = 200


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("教育培训", reverse("learning:home")),
        ("应知应会测试", reverse("learning:quiz_list")),
        *extra,
    ]


def _court(request: AuthenticatedHttpRequest) -> Org | None:
    """The court asked for (404 outside the scope), else none: the whole scope."""
    code = picked_key(request.GET.get("court", ""))
    if not code:
        return None
    return get_scoped(request.scope, Org.objects.courts(), code=code)


def _quiz(request: AuthenticatedHttpRequest, quiz_id: int) -> Quiz:
    return get_scoped(request.scope, Quiz.objects.select_related("court", "audience"), pk=quiz_id)


@requires("learning.view")
def quiz_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    court = _court(request)
    person_id = request.user.person_id
    rows = [queries.my_quiz(q, person_id) for q in queries.quizzes(request.scope, court)[:200]]
    return render(
        request,
        "learning/quizzes/list.html",
        {
            "rows": rows,
            "court": court,
            "courts": uploads.courts_of(request),
            "can_manage": request.scope.can("learning.manage"),
            "breadcrumbs": _crumbs(),
        },
    )


@requires("learning.view")
def quiz_detail(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(request, quiz_id)
    # A GET writes nothing: an attempt past its deadline is closed by the next write (a new
    # attempt, its submission, or the overdue notice's button), and shown as overdue till then.
    person = request.user.person
    mine = queries.my_quiz(quiz, request.user.person_id)
    return render(
        request,
        "learning/quizzes/detail.html",
        {
            "quiz": quiz,
            "mine": mine,
            "has_person": person is not None,
            "question_count": quiz.items.count(),
            "can_see_results": not request.scope.self_only,
            "breadcrumbs": _crumbs((quiz.title, None)),
        },
    )


@requires("learning.view")
def quiz_start(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    quiz = _quiz(request, quiz_id)
    if request.method != "POST":
        return redirect("learning:quiz_detail", quiz_id=quiz.pk)
    person = request.user.person
    if person is None:
        raise PermissionDenied("no person")
    if not queries.audience_of(quiz).filter(pk=person.pk).exists():
        messages.error(request, "您不在本测试的参加范围内")
        return redirect("learning:quiz_detail", quiz_id=quiz.pk)
    try:
        attempt = actions.do_start_attempt(request.user, quiz, person)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("learning:quiz_detail", quiz_id=quiz.pk)
    return redirect("learning:quiz_take", attempt_id=attempt.pk)


def _posted_answers(request: HttpRequest) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            answers[key[1:]] = request.POST.getlist(key)[:10]
    return answers


@requires("learning.view")
def quiz_take(request: AuthenticatedHttpRequest, attempt_id: int) -> HttpResponse:
    """An attempt: its questions while open (its own person only), its review once closed."""
    attempt = queries.attempt_for(request.scope, attempt_id)
    if attempt is None:
        raise Http404
    own = attempt.person_id == request.user.person_id
    if attempt.is_open:
        if not own:
            raise PermissionDenied("someone else's open attempt")
    if request.method == "POST" and attempt.is_open:
        try:
            attempt = actions.do_submit_attempt(request.user, attempt, _posted_answers(request))
            messages.success(
                request,
                f"已交卷：得分{attempt.percent}分，{'及格' if attempt.passed else '未及格'}",
            )
        except actions.SubmissionRefused:
            messages.error(request, "已超过答题时限，本次提交未被接受；答卷已按截止时的作答计分")
        except ValidationError as e:
            messages.error(request, error_text(e))
        return redirect("learning:quiz_take", attempt_id=attempt.pk)
    if request.method == "POST":
        messages.error(request, "本次答题已交卷，不能再次提交")
        return redirect("learning:quiz_take", attempt_id=attempt.pk)
    context: dict[str, Any] = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "own": own,
        "breadcrumbs": _crumbs(
            (attempt.quiz.title, reverse("learning:quiz_detail", args=[attempt.quiz_id])),
            (f"第{attempt.number}次答题", None),
        ),
    }
    if attempt.is_open:
        context["questions"] = queries.served_questions(attempt)
        context["deadline"] = timezone.localtime(attempt.deadline)
        context["overdue"] = actions.is_overdue(attempt)
        return render(request, "learning/quizzes/take.html", context)
    context["questions"] = queries.reviewed_questions(attempt)
    return render(request, "learning/quizzes/attempt.html", context)


@requires("learning.view")
def quiz_results(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    """Per quiz: who passed, who has not taken it, the distribution (officers, leaders)."""
    quiz = _quiz(request, quiz_id)
    if request.scope.self_only:
        raise PermissionDenied("a member sees their own results")
    results = queries.quiz_results(request.scope, quiz)
    return render(
        request,
        "learning/quizzes/results.html",
        {
            "quiz": quiz,
            "results": results,
            "charts": {
                "成绩分布（人数）": [
                    {"name": b["label"], "value": b["count"]} for b in results.bands
                ]
            },
            "breadcrumbs": _crumbs(
                (quiz.title, reverse("learning:quiz_detail", args=[quiz.pk])), ("成绩", None)
            ),
        },
    )


@requires("learning.view")
def quiz_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per person: their own attempts, best score and pass, quiz by quiz."""
    person_id = request.user.person_id
    results = queries.person_results(request.scope, person_id) if person_id else []
    return render(
        request,
        "learning/quizzes/mine.html",
        {
            "results": results,
            "has_person": bool(person_id),
            "breadcrumbs": _crumbs(("我的成绩", None)),
        },
    )


# ---------------------------------------------------------------------------------------
# The question bank and a new quiz (learning.manage)


@requires("learning.manage")
def quiz_bank(request: AuthenticatedHttpRequest) -> HttpResponse:
    court = _court(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in QuestionKind.values else ""
    tag = request.GET.get("tag", "").strip()[:50]
    questions = queries.bank(request.scope, court, tag, kind)
    return render(
        request,
        "learning/quizzes/bank.html",
        {
            "questions": questions[:500],
            "total": len(questions),
            "court": court,
            "courts": uploads.courts_of(request),
            "kinds": QuestionKind.choices,
            "kind": kind,
            "tag": tag,
            "tags": queries.bank_tags(request.scope, court),
            "breadcrumbs": _crumbs(("题库", None)),
        },
    )


@requires("learning.manage")
def quiz_question_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire a question from the bank, or bring it back (the bank page's button)."""
    question = get_scoped(request.scope, Question.objects.select_related("court"), pk=pk)
    if request.method != "POST":
        return redirect("learning:quiz_bank")
    active = request.POST.get("active") == "1"
    actions.do_set_question_active(request.user, question, active)
    messages.success(
        request, f"第{question.pk}题已{'恢复启用' if active else '停用，不再抽入新测试'}。"
    )
    back = request.POST.get("next", "")
    if back.startswith("/learning/quizzes/bank/") and "//" not in back:
        return redirect(back)
    return redirect("learning:quiz_bank")


class QuizForm(forms.Form):
    court = forms.ChoiceField(label="法院")
    title = forms.CharField(label="测试名称", max_length=200)
    audience = forms.CharField(
        label="参加范围", max_length=40, help_text="组织代码（法院、部门或党组织），如 BT-JY"
    )
    opens_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label="截止时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    tags = forms.CharField(
        label="按标签抽题",
        max_length=200,
        required=False,
        help_text="多个标签以“、”分隔；空白表示全部试题",
    )
    count = forms.IntegerField(
        label="抽题数量", min_value=0, max_value=200, initial=10, required=False
    )
    chosen = forms.CharField(
        label="另选试题编号",
        max_length=2000,
        required=False,
        help_text="题库中的编号，以“、”或逗号分隔",
    )
    pass_mark = forms.IntegerField(label="及格分（百分制）", min_value=0, max_value=100, initial=60)
    time_limit = forms.IntegerField(
        label="答题时限（分钟）", min_value=1, max_value=600, initial=30
    )
    attempt_limit = forms.IntegerField(label="可答次数", min_value=1, max_value=20, initial=1)

    def __init__(self, courts: list[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]  # type: ignore[attr-defined]


def _numbers(text: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r"\d+", text)][:200]


@requires("learning.manage")
def quiz_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    courts = uploads.courts_of(request)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"opens_at": now, "closes_at": now + dt.timedelta(days=14)}
    form = QuizForm(courts, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        court = uploads.court_of(request, data["court"])
        audience = scoped(request.scope, Org.objects.filter(code=data["audience"].strip())).first()
        if audience is None:
            form.add_error("audience", "找不到该组织，或不在您的范围内")
        else:
            tags = [
                t
                for t in data["tags"].replace("，", "、").replace(",", "、").split("、")
                if t.strip()
            ]
            questions = actions.pick_questions(
                court,
                tags=[t.strip() for t in tags],
                count=data["count"] or 0,
                chosen=_numbers(data["chosen"]),
                seed=int(now.timestamp()),
            )
            try:
                quiz = actions.do_create_quiz(
                    request.user,
                    court,
                    title=data["title"],
                    audience=audience,
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    questions=questions,
                    pass_mark=data["pass_mark"],
                    time_limit=data["time_limit"],
                    attempt_limit=data["attempt_limit"],
                )
            except ValidationError as e:
                add_errors(form, e, {"questions": "count"})
            else:
                messages.success(request, f"已发布测试“{quiz.title}”，共{len(questions)}题")
                return redirect("learning:quiz_detail", quiz_id=quiz.pk)
    return render(
        request,
        "learning/quizzes/new.html",
        {"form": form, "breadcrumbs": _crumbs(("发布测试", None))},
    )


# ---------------------------------------------------------------------------------------
# The question-bank import, through the one sheet pipeline


class UploadForm(uploads.SheetUploadForm):
    file_label = "试题文件"
    file_help = "Excel工作簿（.xlsx），表头含题型、题目、答案等列，可有标题行"


def _import_crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _crumbs(("题库", reverse("learning:quiz_bank")), ("试题导入", None), *extra)


def _preview_context(plan: QuestionPlan, court: Org, filename: str) -> dict[str, Any]:
    kinds = dict(QuestionKind.choices)
    return {
        "court": court,
        "filename": filename,
        "plan": plan,
        "result": plan.result(),
        "errors": plan.errors,
        "new": [
            {"row": q.row, "kind": kinds.get(q.kind, q.kind), "text": q.text, "tags": q.tags}
            for q in plan.new[:PREVIEW_LIMIT]
        ],
        "limit": PREVIEW_LIMIT,
        "breadcrumbs": _import_crumbs(),
    }


def _wide(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "A" <= ch <= "Z" else ch for ch in text)


@requires("learning.manage")
def quiz_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, preview = uploads.upload_form(
        request,
        UploadForm,
        PENDING,
        parse_questions,
        _preview_context,
        "learning/quizzes/import_preview.html",
    )
    if preview is not None:
        return preview
    return render(
        request,
        "learning/quizzes/import_upload.html",
        {
            # The option columns as a Chinese page prints their letters (full width).
            "columns": [_wide(c) for c in QUESTION_COLUMNS],
            "form": form,
            "breadcrumbs": _import_crumbs(),
        },
    )


@requires("learning.manage")
@require_POST
def quiz_import_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    return uploads.confirm(
        request,
        PENDING,
        token,
        "tianping.learning.quiz_import.apply_questions",
        "learning:quiz_import_summary",
        message="试题已导入{court}题库：新增{created}题，已有{unchanged}题未变。",
    )


@requires("learning.manage")
def quiz_import_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    return uploads.progress(request)


@requires("learning.manage")
def quiz_import_summary(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    context = uploads.written(request, PENDING, token)
    return render(
        request,
        "learning/quizzes/import_summary.html",
        {**context, "breadcrumbs": _import_crumbs()},
    )


@requires("learning.manage")
def quiz_import_template(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    return uploads.xlsx_download(question_template(), "试题导入模板.xlsx")


routes: list[URLPattern] = [
    path("quizzes/", quiz_list, name="quiz_list"),
    path("quizzes/mine/", quiz_mine, name="quiz_mine"),
    path("quizzes/new/", quiz_new, name="quiz_new"),
    path("quizzes/bank/", quiz_bank, name="quiz_bank"),
    path("quizzes/bank/<int:pk>/active/", quiz_question_active, name="quiz_question_active"),
    path("quizzes/bank/import/", quiz_import, name="quiz_import"),
    path("quizzes/bank/import/template/", quiz_import_template, name="quiz_import_template"),
    path("quizzes/bank/import/progress/", quiz_import_progress, name="quiz_import_progress"),
    path(
        "quizzes/bank/import/<str:token>/confirm/", quiz_import_confirm, name="quiz_import_confirm"
    ),
    path("quizzes/bank/import/<str:token>/", quiz_import_summary, name="quiz_import_summary"),
    path("quizzes/attempts/<int:attempt_id>/", quiz_take, name="quiz_take"),
    path("quizzes/<int:quiz_id>/", quiz_detail, name="quiz_detail"),
    path("quizzes/<int:quiz_id>/start/", quiz_start, name="quiz_start"),
    path("quizzes/<int:quiz_id>/results/", quiz_results, name="quiz_results"),
]
