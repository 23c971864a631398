"""Pages of study: yearly plans and their progress, reflections (心得体会), their review and
the 查重 report, and the court's reference corpus."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.activities.models import Activity
from tianping.learning.actions import study as actions
from tianping.learning.models.study import (
    REFLECTION_MAX_CHARS,
    PlanTopic,
    Reflection,
    ReflectionStatus,
    StudyPlan,
)
from tianping.learning.queries import study as queries
from tianping.lib import similarity
from tianping.lib.errors import add_errors
from tianping.lib.pickers import org_pick_field
from tianping.orgs.models import Org
from tianping.people.models import Person

PAGE_SIZE = 50
MAX_REFERENCE_BYTES = 5 * 1024 * 1024


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Breadcrumbs from URL names (None for the page itself)."""
    return [
        (label, reverse(name) if name else None)
        for label, name in [("教育培训", "learning:home"), *extra]
    ]


# ---------------------------------------------------------------------------------------
# Forms


class PlanForm(forms.Form):
    org = org_pick_field(
        kinds=sorted(queries.PLAN_KINDS),
        active=True,
        label="学习组织",
        queryset=Org.objects.none(),
        help_text="党组（理论学习中心组）、机关党委、党总支或党支部",
    )
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2100)
    title = forms.CharField(label="计划名称", max_length=200)
    note = forms.CharField(
        label="总体要求",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, orgs: QuerySet[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = orgs


class TopicForm(forms.Form):
    month = forms.TypedChoiceField(
        label="月份", coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)]
    )
    title = forms.CharField(label="学习专题", max_length=200)
    readings = forms.CharField(
        label="学习篇目",
        max_length=4000,
        required=False,
        help_text="每行一篇",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReflectionForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="正文",
        max_length=REFLECTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=f"不超过{REFLECTION_MAX_CHARS}字",
    )
    activity = forms.ModelChoiceField(
        label="参加的活动",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="（不关联）",
    )
    topic = forms.ModelChoiceField(
        label="学习专题",
        queryset=PlanTopic.objects.none(),
        required=False,
        empty_label="（不关联）",
    )

    def __init__(
        self, activities: QuerySet[Activity], topics: QuerySet[PlanTopic], *args: Any, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["activity"]).queryset = activities
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = topics


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label="审阅结果",
        choices=[(ReflectionStatus.READ, "已阅"), (ReflectionStatus.RETURNED, "退回修改")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReferenceForm(forms.Form):
    court = forms.ModelChoiceField(label="法院", queryset=Org.objects.none())
    title = forms.CharField(
        label="标题", max_length=200, required=False, help_text="不填则用文件名"
    )
    file = forms.FileField(label="文件（.txt 或 .docx）")

    def __init__(self, courts: QuerySet[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["court"]).queryset = courts


# ---------------------------------------------------------------------------------------
# Plans


def _plan_orgs(scope: Scope) -> QuerySet[Org]:
    return scoped(scope, Org.objects.filter(kind__in=queries.PLAN_KINDS, is_active=True)).order_by(
        "path"
    )


@requires("learning.view")
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    form = None
    if scope.can("learning.manage"):
        form = PlanForm(
            _plan_orgs(scope),
            request.POST or None,
            initial={"year": timezone.localdate().year},
        )
        if request.method == "POST" and form.is_valid():
            try:
                plan = actions.do_create_plan(
                    request.user,
                    form.cleaned_data["org"],
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, f"已制定“{plan.title}”")
                return redirect("learning:study_plan", plan.pk)
    elif request.method == "POST":
        raise PermissionDenied("learning.manage")
    page = Paginator(queries.plans(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/study/plan_list.html",
        {"page": page, "form": form, "breadcrumbs": _crumbs(("学习计划", None))},
    )


def _topic_form_prefix(topic: PlanTopic) -> str:
    return f"t{topic.pk}"


@requires("learning.view")
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    plan = get_scoped(scope, StudyPlan.objects.select_related("org", "study_record"), pk=pk)
    can_manage = scope.can("learning.manage") and scope.covers_path(plan.org.path)
    topic_form = TopicForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("learning.manage")
        assert topic_form is not None
        if "link" in request.POST:
            topic = get_scoped(scope, PlanTopic.objects.filter(plan=plan), pk=request.POST["link"])
            ids = [i for i in request.POST.getlist("activities") if i.isdigit()]
            chosen = list(actions.topic_activity_choices(plan).filter(pk__in=ids))
            try:
                actions.do_link_topic_activities(request.user, topic, chosen)
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
            else:
                messages.success(request, f"已更新“{topic.title}”的落实活动")
            return redirect("learning:study_plan", plan.pk)
        if topic_form.is_valid():
            try:
                actions.do_add_topic(request.user, plan, **topic_form.cleaned_data)
            except ValidationError as e:
                add_errors(topic_form, e)
            else:
                messages.success(request, "已添加学习专题")
                return redirect("learning:study_plan", plan.pk)
    progress = queries.plan_progress(plan)
    choices = list(actions.topic_activity_choices(plan)) if can_manage else []
    return render(
        request,
        "learning/study/plan_detail.html",
        {
            "plan": plan,
            "progress": progress,
            "topic_form": topic_form,
            "can_manage": can_manage,
            "choices": choices,
            "breadcrumbs": _crumbs(("学习计划", "learning:study_plans"), (plan.title, None)),
        },
    )


# ---------------------------------------------------------------------------------------
# Reflections: the author's pages


def _me(scope: Scope) -> Person:
    if scope.person_id is None:
        raise Http404
    person = Person.objects.select_related("party_org", "court").filter(pk=scope.person_id).first()
    if person is None:
        raise Http404
    return person


def _attended(person: Person) -> QuerySet[Activity]:
    year = timezone.localdate().year
    return (
        Activity.objects.filter(attendance__person=person, on__year__gte=year - 1)
        .order_by("-on", "-id")
        .distinct()
    )


@requires("learning.view")
def my_reflections(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    page = Paginator(queries.my_reflections(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/study/my_reflections.html",
        {
            "page": page,
            "has_person": scope.person_id is not None,
            "breadcrumbs": _crumbs(("我的心得体会", None)),
        },
    )


@requires("learning.view")
def write_reflection(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    scope = request.scope
    revising = None
    initial: dict[str, Any] = {}
    if pk is not None:
        revising = get_scoped(scope, Reflection.objects.all(), pk=pk)
        if revising.person_id != scope.person_id:
            raise PermissionDenied("only the author revises a reflection")
        if revising.status != ReflectionStatus.RETURNED:
            messages.warning(request, "只有退回修改的心得体会可以修改")
            return redirect("learning:study_reflection", revising.pk)
        initial = {
            "title": revising.title,
            "body": revising.body,
            "activity": revising.activity_id,
            "topic": revising.topic_id,
        }
    person = _me(scope)
    form = ReflectionForm(
        _attended(person),
        queries.plan_topics(person),
        request.POST or None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            reflection = actions.do_submit_reflection(
                request.user, person, revising=revising, **form.cleaned_data
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已提交“{reflection.title}”，等待支部书记审阅")
            return redirect("learning:study_reflection", reflection.pk)
    return render(
        request,
        "learning/study/write.html",
        {
            "form": form,
            "revising": revising,
            "breadcrumbs": _crumbs(("我的心得体会", "learning:study_mine"), ("撰写心得体会", None)),
        },
    )


@requires("learning.view")
def reflection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    reflection = get_scoped(
        scope,
        Reflection.objects.select_related("person", "org", "activity", "topic", "reviewed_by"),
        pk=pk,
    )
    is_author = reflection.person_id == scope.person_id
    if not is_author and not scope.can("learning.review"):
        # A reflection is its author's and their reviewer's, not every reader's of the court.
        raise PermissionDenied("learning.review")
    can_review = scope.can("learning.review") and not is_author
    review_form = None
    if can_review:
        review_form = ReviewForm(request.POST or None, initial={"status": ReflectionStatus.READ})
        if request.method == "POST" and review_form.is_valid():
            try:
                actions.do_review_reflection(
                    request.user,
                    reflection,
                    status=review_form.cleaned_data["status"],
                    comment=review_form.cleaned_data["comment"],
                )
            except ValidationError as e:
                add_errors(review_form, e)
            else:
                messages.success(request, "已保存审阅意见")
                return redirect("learning:study_reflection", reflection.pk)
    elif request.method == "POST":
        raise PermissionDenied("learning.review")
    back = (
        ("我的心得体会", "learning:study_mine")
        if is_author
        else ("心得审阅", "learning:study_review")
    )
    return render(
        request,
        "learning/study/reflection.html",
        {
            "reflection": reflection,
            "is_author": is_author,
            "can_review": can_review,
            "review_form": review_form,
            "chars": len(reflection.body),
            "breadcrumbs": _crumbs(back, (reflection.title, None)),
        },
    )


# ---------------------------------------------------------------------------------------
# Reflections: the reviewer's pages


@requires("learning.review")
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    status = request.GET.get("status", "")
    page = Paginator(queries.reviewable(scope, status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/study/review_list.html",
        {
            "page": page,
            "status": status,
            "querystring_page": f"status={status}&" if status else "",
            "statuses": ReflectionStatus.choices,
            "breadcrumbs": _crumbs(("心得审阅", None)),
        },
    )


@requires("learning.review")
def similarity_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    reflection = get_scoped(scope, Reflection.objects.select_related("person", "org"), pk=pk)
    report = queries.report_for(scope, reflection)
    return render(
        request,
        "learning/study/similarity.html",
        {
            "reflection": reflection,
            "report": report,
            "min_passage": similarity.MIN_PASSAGE,
            "breadcrumbs": _crumbs(
                ("心得审阅", "learning:study_review"),
                (reflection.title, None),
                ("查重报告", None),
            ),
        },
    )


# ---------------------------------------------------------------------------------------
# The reference corpus


def _courts(scope: Scope) -> QuerySet[Org]:
    return scoped(scope, Org.objects.courts().filter(is_active=True)).order_by("path")


@requires("learning.manage")
def reference_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    form = ReferenceForm(_courts(scope), request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or ""
        content = upload.read(MAX_REFERENCE_BYTES + 1)
        body = ""
        if len(content) > MAX_REFERENCE_BYTES:
            form.add_error("file", "文件不超过5MB")
        elif name.lower().endswith(".docx"):
            try:
                body = similarity.docx_text(content)
            except Exception:  # noqa: BLE001 - any broken .docx is the same to the user
                form.add_error("file", "无法读取该.docx文件")
        elif name.lower().endswith(".txt"):
            body = similarity.decode_text(content)
        else:
            form.add_error("file", "请上传.txt或.docx文件")
        if not form.errors:
            title = form.cleaned_data["title"] or name.rsplit(".", 1)[0]
            try:
                ref = actions.do_add_reference(
                    request.user, form.cleaned_data["court"], title=title, body=body, file_name=name
                )
            except ValidationError as e:
                add_errors(form, e, {"body": "file"})
            else:
                messages.success(request, f"已加入参考文本“{ref.title}”（{len(ref.body)}字）")
                return redirect("learning:study_references")
    page = Paginator(queries.references(scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/study/references.html",
        {"page": page, "form": form, "breadcrumbs": _crumbs(("查重参考文本", None))},
    )


routes: list[URLPattern] = [
    path("study/plans/", plan_list, name="study_plans"),
    path("study/plans/<int:pk>/", plan_detail, name="study_plan"),
    path("study/reflections/mine/", my_reflections, name="study_mine"),
    path("study/reflections/new/", write_reflection, name="study_write"),
    path("study/reflections/<int:pk>/", reflection_detail, name="study_reflection"),
    path("study/reflections/<int:pk>/revise/", write_reflection, name="study_revise"),
    path("study/reflections/<int:pk>/similarity/", similarity_report, name="study_similarity"),
    path("study/reflections/", review_list, name="study_review"),
    path("study/references/", reference_list, name="study_references"),
]
