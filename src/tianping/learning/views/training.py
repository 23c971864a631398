"""培训班 pages: the list, a class with its plan (R7.1), enrolment, sessions and results,
certificates (with the public verification page), 学时档案 and who falls short, settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import public, requires
from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.learning.actions import training as actions
from tianping.learning.models.training import (
    DEFAULT_POLITICAL_SHARE,
    HOSTED_KINDS,
    SHARE_KINDS,
    ClassStatus,
    Enrolment,
    EnrolmentResult,
    TrainingClass,
    TrainingKind,
    TrainingRequirement,
    TrainingSetting,
    plan_share,
)
from tianping.learning.queries import training as queries
from tianping.learning.training_forms import (
    ORGANISER_KINDS,
    ClassFilterForm,
    ClassForm,
    CourseFormSet,
    EnrolHandForm,
    EnrolRuleForm,
    FeedbackForm,
    FinalForm,
    RequirementForm,
    ResultForm,
    SessionForm,
    ShareForm,
    course_initial,
    year_choices,
)
from tianping.lib.errors import add_errors, error_text
from tianping.orgs.models import Org
from tianping.people.models import Category, Person

LIST_CRUMB = ("培训班", "learning:class_list")


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("教育培训", reverse("learning:home")), *extra]


def _class_crumbs(
    tc: TrainingClass, *extra: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    return _crumbs(
        ("培训班", reverse("learning:class_list")),
        (tc.name, reverse("learning:class_detail", args=[tc.pk]) if extra else None),
        *extra,
    )


def _year(request: AuthenticatedHttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1900 <= year <= 2100 else timezone.localdate().year


def _get_class(request: AuthenticatedHttpRequest, class_id: int) -> TrainingClass:
    return get_scoped(
        request.scope, TrainingClass.objects.select_related("court", "organiser"), pk=class_id
    )


def _managed(request: AuthenticatedHttpRequest, class_id: int) -> TrainingClass:
    """A class the officer may change: seen, and organised inside their own subtree (a basic
    court sees the mid court's city-wide class its people attend, but does not run it)."""
    tc = _get_class(request, class_id)
    if not request.scope.covers_path(tc.organiser.path):
        raise PermissionDenied("learning.manage")
    return tc


def _organisers(scope: Scope) -> Any:
    return scoped(scope, Org.objects.filter(kind__in=ORGANISER_KINDS, is_active=True))


# ---------------------------------------------------------------------------------------
# The list and one class


@requires("learning.view")
def class_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClassFilterForm(request.GET or None)
    f = queries.ClassFilter()
    if form.is_valid():
        data = form.cleaned_data
        f = queries.ClassFilter(
            year=data["year"], kind=data["kind"], status=data["status"], q=data["q"] or ""
        )
    page = Paginator(queries.class_list(request.scope, f), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring_page": (params.urlencode() + "&") if params else "",
        "hx_target": "#results",
        "breadcrumbs": _crumbs(("培训班", None)),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "learning/training/_results.html", context)
    return render(request, "learning/training/list.html", context)


@requires("learning.manage")
def class_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    form = ClassForm(request.POST or None, organisers=_organisers(scope))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organiser = data.pop("organiser")
        try:
            tc = actions.do_create_class(request.user, organiser, **data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, f"已新建培训班“{tc.name}”（{tc.code}），请编排培训方案。")
            return redirect("learning:class_plan", class_id=tc.pk)
    return render(
        request,
        "learning/training/form.html",
        {
            "form": form,
            "title": "新建培训班",
            "hosted_kinds": [k.label for k in TrainingKind if k in HOSTED_KINDS],
            "breadcrumbs": _crumbs(("培训班", reverse("learning:class_list")), ("新建", None)),
        },
    )


@requires("learning.manage")
def class_edit(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    tc = _managed(request, class_id)
    initial = {f: getattr(tc, f) for f in actions.EDITABLE}
    form = ClassForm(request.POST or None, organisers=_organisers(request.scope), initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {f: form.cleaned_data[f] for f in actions.EDITABLE}
        try:
            actions.do_update_class(request.user, tc, **changed)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "已保存。")
            return redirect("learning:class_detail", class_id=tc.pk)
    return render(
        request,
        "learning/training/form.html",
        {
            "form": form,
            "title": f"修改培训班：{tc.name}",
            "training_class": tc,
            "breadcrumbs": _class_crumbs(tc, ("修改", None)),
        },
    )


@requires("learning.view")
def class_detail(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    scope = request.scope
    tc = _get_class(request, class_id)
    courses = list(tc.courses.all())
    share = actions.class_share(tc)
    rows = queries.class_enrolments(tc)
    if scope.self_only:
        rows = [r for r in rows if r.enrolment.person_id == scope.person_id]
    else:
        visible = set(
            scoped(scope, Enrolment.objects.filter(training_class=tc)).values_list("pk", flat=True)
        )
        rows = [r for r in rows if r.enrolment.pk in visible]
    can_manage = scope.can("learning.manage") and scope.covers_path(tc.organiser.path)
    return render(
        request,
        "learning/training/detail.html",
        {
            "tc": tc,
            "courses": courses,
            "share": share,
            "sessions": queries.class_sessions(tc),
            "rows": rows,
            "can_manage": can_manage,
            "can_record": scope.can("activities.record") and scope.covers_path(tc.organiser.path),
            "final_form": FinalForm(),
            "result_choices": EnrolmentResult.choices,
            "today": timezone.localdate(),
            "breadcrumbs": _class_crumbs(tc),
        },
    )


# ---------------------------------------------------------------------------------------
# The plan and R7.1


def _share_context(tc: TrainingClass, formset: Any) -> dict[str, Any]:
    """The political share of the rows as edited (not yet saved): what R7.1 shows live."""
    pairs: list[tuple[Decimal, bool]] = []
    for form in formset.forms:
        if not form.is_valid():
            continue
        row = form.row()
        if row is None or row.get("hours") is None:
            continue
        political = bool(row.get("political")) or row.get("category") == "political"
        pairs.append((row["hours"], political))
    return {"share": plan_share(pairs, tc.kind, actions.court_share(tc.court)), "tc": tc}


@requires("learning.manage")
def class_plan(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    tc = _managed(request, class_id)
    if request.method == "POST":
        formset = CourseFormSet(request.POST, prefix="courses")
        if tc.status != ClassStatus.DRAFT:
            messages.error(request, "培训方案已定稿，如需修改请先退回拟定。")
            return redirect("learning:class_detail", class_id=tc.pk)
        if formset.is_valid():
            rows = [r for r in (form.row() for form in formset.forms) if r is not None]
            try:
                share = actions.do_save_plan(request.user, tc, rows)
            except ValidationError as e:
                for text in e.message_dict.get("courses", [error_text(e)]):
                    messages.error(request, text)
            else:
                if share.below:
                    messages.warning(
                        request,
                        f"方案已保存。政治教育课时占比{share.share or 0:.1%}，"
                        f"低于本院要求的{share.required:.0%}。",
                    )
                else:
                    messages.success(request, "方案已保存。")
                return redirect("learning:class_plan", class_id=tc.pk)
    else:
        formset = CourseFormSet(initial=course_initial(list(tc.courses.all())), prefix="courses")
    if formset.is_bound:
        context = _share_context(tc, formset)
    else:
        context = {"share": actions.class_share(tc), "tc": tc}
    context.update(
        {
            "formset": formset,
            "final_form": FinalForm(),
            "share_kinds": [k.label for k in TrainingKind if k in SHARE_KINDS],
            "breadcrumbs": _class_crumbs(tc, ("培训方案", None)),
        }
    )
    return render(request, "learning/training/plan.html", context)


@requires("learning.manage")
def class_plan_share(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    """The share panel alone, for the plan being edited (HTMX, on every change)."""
    tc = _managed(request, class_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    formset = CourseFormSet(request.POST, prefix="courses")
    formset.is_valid()
    return render(request, "learning/training/_share.html", _share_context(tc, formset))


@requires("learning.manage")
def class_final(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    tc = _managed(request, class_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FinalForm(request.POST)
    reason = form.cleaned_data["below_share_reason"] if form.is_valid() else ""
    try:
        actions.do_make_final(request.user, tc, reason)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("learning:class_plan", class_id=tc.pk)
    messages.success(request, "培训方案已定稿。")
    return redirect("learning:class_detail", class_id=tc.pk)


@requires("learning.manage")
def class_status(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    """Reopen, finish or cancel a class."""
    tc = _managed(request, class_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = {
        "reopen": (actions.do_reopen, "已退回拟定，可修改培训方案。"),
        "finish": (actions.do_finish, "培训班已结业。"),
        "cancel": (actions.do_cancel_class, "培训班已取消，不计学时。"),
    }.get(request.POST.get("to", ""))
    if action is None:
        messages.error(request, "未知的操作。")
    else:
        try:
            action[0](request.user, tc)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, action[1])
    return redirect("learning:class_detail", class_id=tc.pk)


# ---------------------------------------------------------------------------------------
# Enrolment, sessions, results


@requires("learning.manage")
def class_enrol(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    scope = request.scope
    tc = _managed(request, class_id)
    candidates = scoped(scope, Person.objects.serving())
    hand = EnrolHandForm(
        request.POST if request.POST.get("by") == "hand" else None,
        candidates=candidates,
        court_code=tc.court.code,
    )
    by_rule = EnrolRuleForm(request.POST if request.POST.get("by") == "rule" else None)
    if request.method == "POST":
        people: list[Person] | None = None
        rule_text = ""
        if request.POST.get("by") == "hand" and hand.is_valid():
            people = list(hand.cleaned_data["people"])
        elif request.POST.get("by") == "rule" and by_rule.is_valid():
            chosen, rule_text = queries.rule_people(
                tc.court, by_rule.cleaned_data["rule"], by_rule.cleaned_data["year"]
            )
            people = list(scoped(scope, chosen))
        if people is not None:
            try:
                added = actions.do_enrol(request.user, tc, people, rule_text)
            except ValidationError as e:
                messages.error(request, error_text(e))
            else:
                rule_note = f"（{rule_text}）" if rule_text else ""
                messages.success(request, f"已报名{len(added)}人{rule_note}。")
                return redirect(reverse("learning:class_detail", args=[tc.pk]) + "#enrolments")
    return render(
        request,
        "learning/training/enrol.html",
        {
            "tc": tc,
            "hand": hand,
            "by_rule": by_rule,
            "breadcrumbs": _class_crumbs(tc, ("报名", None)),
        },
    )


@requires("learning.manage")
def class_session_new(request: AuthenticatedHttpRequest, class_id: int) -> HttpResponse:
    tc = _managed(request, class_id)
    form = SessionForm(request.POST or None, courses=tc.courses.all(), initial={"on": tc.starts_on})
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.do_add_session(request.user, tc, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request, f"已安排课次“{session.activity.title}”；上课后在课次中记录出勤。"
            )
            return redirect(reverse("learning:class_detail", args=[tc.pk]) + "#sessions")
    return render(
        request,
        "learning/training/session_form.html",
        {"tc": tc, "form": form, "breadcrumbs": _class_crumbs(tc, ("安排课次", None))},
    )


@requires("learning.manage")
def class_result(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_scoped(request.scope, Enrolment.objects.all(), pk=enrolment_id)
    tc = _managed(request, enrolment.training_class_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择结业结果。")
    else:
        try:
            stored = actions.do_set_result(
                request.user, enrolment, form.cleaned_data["result"], form.cleaned_data["grade"]
            )
            if request.POST.get("certificate") == "1":
                stored = actions.do_issue_certificate(request.user, stored)
                messages.success(request, f"已为{stored.person.name}颁发结业证书。")
            else:
                messages.success(request, f"已记录{stored.person.name}的结业结果。")
        except ValidationError as e:
            messages.error(request, error_text(e))
    return redirect(reverse("learning:class_detail", args=[tc.pk]) + "#enrolments")


# ---------------------------------------------------------------------------------------
# Certificates and feedback


@requires("learning.view")
def class_certificate(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_scoped(
        request.scope,
        Enrolment.objects.select_related("person", "training_class__court"),
        pk=enrolment_id,
    )
    if not enrolment.certificate_code:
        raise Http404
    hours = queries.class_hours(enrolment.training_class_id).get(enrolment.person_id)
    verify = request.build_absolute_uri(
        reverse("learning:certificate_verify", args=[enrolment.certificate_code])
    )
    return render(
        request,
        "learning/training/certificate.html",
        {"e": enrolment, "tc": enrolment.training_class, "hours": hours, "verify": verify},
    )


@public
def certificate_verify(request: Any, code: str) -> HttpResponse:
    """Anyone holding a certificate's code sees its four facts, and nothing else."""
    enrolment = queries.certificate(code)
    if enrolment is None:
        raise Http404
    hours = queries.class_hours(enrolment.training_class_id).get(enrolment.person_id)
    return render(
        request,
        "learning/training/verify.html",
        {"name": enrolment.person.name, "tc": enrolment.training_class, "hours": hours},
    )


@requires("learning.view")
def class_feedback(request: AuthenticatedHttpRequest, enrolment_id: int) -> HttpResponse:
    """A participant's own feedback on a class (only after attending a session)."""
    enrolment = get_scoped(
        request.scope, Enrolment.objects.select_related("training_class"), pk=enrolment_id
    )
    if enrolment.person_id != request.scope.person_id:
        raise PermissionDenied("own enrolment only")
    current = getattr(enrolment, "feedback", None)
    initial = {"rating": current.rating, "comment": current.comment} if current else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_give_feedback(
                request.user, enrolment, form.cleaned_data["rating"], form.cleaned_data["comment"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect("learning:class_my_hours")
    return render(
        request,
        "learning/training/feedback.html",
        {
            "e": enrolment,
            "form": form,
            "attended": actions.attended(enrolment),
            "breadcrumbs": _crumbs(
                ("我的学时", reverse("learning:class_my_hours")), ("评价", None)
            ),
        },
    )


# ---------------------------------------------------------------------------------------
# 学时档案, shortfalls, settings


def _year_page(request: AuthenticatedHttpRequest, person: Person, mine: bool) -> HttpResponse:
    year = _year(request)
    page = queries.year_page(person, year)
    enrolments = (
        Enrolment.objects.filter(person=person, training_class__starts_on__year=year)
        .select_related("training_class", "feedback")
        .order_by("training_class__starts_on")
        if mine
        else []
    )
    crumbs = (
        _crumbs(("我的学时", None))
        if mine
        else [
            ("人员花名册", reverse("people:list")),
            (person.name, reverse("people:detail", args=[person.pk])),
            ("学时档案", None),
        ]
    )
    return render(
        request,
        "learning/training/hours.html",
        {
            "page": page,
            "person": person,
            "year": year,
            "years": year_choices("")[1:],
            "mine": mine,
            "enrolments": enrolments,
            "breadcrumbs": crumbs,
        },
    )


@requires("learning.view")
def class_my_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id = request.user.person_id
    if person_id is None:
        return render(
            request, "people/no_person.html", {"breadcrumbs": _crumbs(("我的学时", None))}
        )
    person = Person.objects.select_related("court").get(pk=person_id)
    return _year_page(request, person, mine=True)


@requires("learning.view")
def class_person_hours(request: AuthenticatedHttpRequest, person_id: int) -> HttpResponse:
    person = get_scoped(request.scope, Person.objects.select_related("court"), pk=person_id)
    return _year_page(request, person, mine=person.pk == request.scope.person_id)


@requires("learning.view")
def class_shortfall(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = request.scope
    if scope.self_only:
        return redirect("learning:class_my_hours")
    year = _year(request)
    report = queries.shortfalls(scope, year)
    page = Paginator(report.rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/training/shortfall.html",
        {
            "report": report,
            "page": page,
            "querystring_page": f"year={year}&",
            "year": year,
            "years": year_choices("")[1:],
            "breadcrumbs": _crumbs(("学时未达标人员", None)),
        },
    )


@requires("learning.manage")
def class_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A court's political share (R7.1) and its yearly hours per personnel line."""
    scope = request.scope
    courts = list(queries.courts_in(scope))
    if not courts:
        raise Http404
    code = request.GET.get("court") or request.POST.get("court") or courts[0].code
    court = next((c for c in courts if c.code == code), None)
    if court is None:
        raise Http404
    setting = TrainingSetting.objects.filter(court=court).first()
    share = setting.political_share if setting else DEFAULT_POLITICAL_SHARE
    requirements = {r.line: r for r in TrainingRequirement.objects.filter(court=court)}
    share_form = ShareForm(
        request.POST if request.POST.get("form") == "share" else None,
        initial={"percent": share * 100},
    )
    line_forms = [
        (
            value,
            label,
            RequirementForm(
                request.POST if request.POST.get("form") == "requirements" else None,
                prefix=value,
                initial=(
                    {
                        "hours": requirements[value].hours,
                        "political_hours": requirements[value].political_hours,
                    }
                    if value in requirements
                    else None
                ),
            ),
        )
        for value, label in Category.choices
    ]
    if request.method == "POST":
        back = reverse("learning:class_settings") + f"?court={court.code}"
        try:
            if request.POST.get("form") == "share" and share_form.is_valid():
                actions.do_set_share(
                    request.user, court, share_form.cleaned_data["percent"] / Decimal(100)
                )
                messages.success(request, "已保存政治教育课时占比。")
                return redirect(back)
            if request.POST.get("form") == "requirements" and all(
                f.is_valid() for _, _, f in line_forms
            ):
                for value, _, f in line_forms:
                    actions.do_set_requirement(
                        request.user,
                        court,
                        value,
                        f.cleaned_data["hours"],
                        f.cleaned_data["political_hours"] or Decimal("0"),
                    )
                messages.success(request, "已保存年度学时要求。")
                return redirect(back)
        except ValidationError as e:
            messages.error(request, error_text(e))
    return render(
        request,
        "learning/training/settings.html",
        {
            "courts": courts,
            "court": court,
            "share_form": share_form,
            "line_forms": line_forms,
            "breadcrumbs": _crumbs(("培训设置", None)),
        },
    )


routes: list[URLPattern] = [
    path("training/", class_list, name="class_list"),
    path("training/new/", class_create, name="class_create"),
    path("training/<int:class_id>/", class_detail, name="class_detail"),
    path("training/<int:class_id>/edit/", class_edit, name="class_edit"),
    path("training/<int:class_id>/plan/", class_plan, name="class_plan"),
    path("training/<int:class_id>/plan/share/", class_plan_share, name="class_plan_share"),
    path("training/<int:class_id>/final/", class_final, name="class_final"),
    path("training/<int:class_id>/status/", class_status, name="class_status"),
    path("training/<int:class_id>/enrol/", class_enrol, name="class_enrol"),
    path("training/<int:class_id>/sessions/new/", class_session_new, name="class_session_new"),
    path("training/enrolments/<int:enrolment_id>/result/", class_result, name="class_result"),
    path(
        "training/enrolments/<int:enrolment_id>/certificate/",
        class_certificate,
        name="class_certificate",
    ),
    path("training/enrolments/<int:enrolment_id>/feedback/", class_feedback, name="class_feedback"),
    path("certificates/<str:code>/", certificate_verify, name="certificate_verify"),
    path("hours/", class_my_hours, name="class_my_hours"),
    path("hours/shortfall/", class_shortfall, name="class_shortfall"),
    path("hours/<int:person_id>/", class_person_hours, name="class_person_hours"),
    path("settings/training/", class_settings, name="class_settings"),
]
