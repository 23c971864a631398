"""Pages of skill competitions (岗位练兵, 业务技能竞赛): the list, a competition with its
tracks, a track's setup (criteria, rounds, judges, entrants, document entries, closing a
round, awards, the reveal), a judge's score sheet (saved per cell), a round's results
(printable, Excel) and one's own entries. Reads in `queries.competitions`, writes in
`actions.competitions`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from tianping.accounts.http import AuthenticatedHttpRequest
from tianping.accounts.permissions import requires
from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib import uploads
from tianping.lib.errors import add_errors, error_text
from tianping.lib.sheets import table_bytes
from tianping.orgs.models import Org
from tianping.people.models import Category, Person
from tianping.talent.actions import competitions as actions
from tianping.talent.models import HonourLevel
from tianping.talent.models.competitions import (
    STATUS_ORDER,
    AdvanceRule,
    CompetitionStatus,
    Criterion,
    Entrant,
    Stage,
    TrackKind,
)
from tianping.talent.queries import competitions as queries

ENTRY_FILE_LIMIT = 512 * 1024


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        ("人才与荣誉", reverse("talent:home")),
        ("岗位练兵与技能竞赛", reverse("talent:competition_list")),
        *extra,
    ]


class CompetitionForm(forms.Form):
    court = forms.ChoiceField(label="主办法院")
    name = forms.CharField(label="竞赛名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    drop_extremes = forms.BooleanField(
        label="去掉一个最高分和一个最低分",
        required=False,
        initial=True,
        help_text="每轮评委须有三人以上才去掉；不足三人时取全部评委平均分。",
    )
    honour_level = forms.ChoiceField(
        label="获奖荣誉级别",
        required=False,
        choices=[("", "按主办法院确定（高院省级、中院市级、基层院院级）"), *HonourLevel.choices],
    )

    def __init__(self, *args: Any, courts: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.courts = {c.code: c for c in courts}
        cast(forms.ChoiceField, self.fields["court"]).choices = [(c.code, c.name) for c in courts]


class TrackForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=100)
    specialty = forms.CharField(label="专业", max_length=50)
    kind = forms.ChoiceField(label="项目类型", choices=TrackKind.choices)
    category = forms.ChoiceField(
        label="人员类别", required=False, choices=[("", "不限"), *Category.choices]
    )
    quota_first = forms.IntegerField(label="一等奖名额", min_value=0, max_value=500, initial=1)
    quota_second = forms.IntegerField(label="二等奖名额", min_value=0, max_value=500, initial=2)
    quota_third = forms.IntegerField(label="三等奖名额", min_value=0, max_value=500, initial=3)
    quota_excellent = forms.IntegerField(label="优秀奖名额", min_value=0, max_value=500, initial=0)


class CriterionForm(forms.Form):
    name = forms.CharField(label="评分项", max_length=100)
    max_points = forms.DecimalField(label="满分", max_digits=6, decimal_places=2, min_value=0)
    weight = forms.DecimalField(
        label="权重", max_digits=5, decimal_places=2, min_value=0, initial=1
    )


class RoundForm(forms.Form):
    stage = forms.ChoiceField(label="赛程", choices=Stage.choices)
    held_on = forms.DateField(
        label="比赛日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    advance_rule = forms.ChoiceField(label="晋级办法", choices=AdvanceRule.choices)
    advance_value = forms.DecimalField(
        label="晋级名额或分数线", required=False, max_digits=8, decimal_places=2, min_value=0
    )


class PeopleForm(forms.Form):
    employee_nos = forms.CharField(
        label="工号",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="多个工号以空格、逗号或换行分隔。",
    )


class JudgesForm(PeopleForm):
    round = forms.ChoiceField(label="轮次")
    chief = forms.CharField(label="评委会主任工号", max_length=30, required=False)


class RuleForm(forms.Form):
    court = forms.ChoiceField(label="法院")


class EntryForm(forms.Form):
    employee_no = forms.CharField(label="作者工号", max_length=30)
    title = forms.CharField(label="文书标题", max_length=200)
    text = forms.CharField(
        label="文书正文",
        required=False,
        max_length=actions.ENTRY_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="粘贴正文，或上传纯文本文件；正文中不得出现作者姓名。",
    )
    file = forms.FileField(label="文书文件（.txt）", required=False)


def _people(request: AuthenticatedHttpRequest, text: str) -> list[Person]:
    numbers = [n for n in re.split(r"[\s,，、;；]+", text.strip()) if n][:500]
    found = {
        p.employee_no: p
        for p in scoped(
            request.scope, Person.objects.filter(employee_no__in=numbers)
        ).select_related("court")
    }
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise ValidationError({"employee_nos": [f"找不到工号：{'、'.join(unknown[:20])}"]})
    return [found[n] for n in dict.fromkeys(numbers)]


@requires("talent.view")
def competition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(queries.competitions(request.scope)[:200])
    return render(
        request,
        "talent/competitions/list.html",
        {
            "rows": rows,
            "can_manage": request.scope.can("talent.manage"),
            "panels": queries.my_panels(request.scope, request.user.person_id),
            "breadcrumbs": _crumbs(),
        },
    )


@requires("talent.view")
def competition_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "talent/competitions/mine.html",
        {
            "entries": queries.my_entries(request.scope, request.user.person_id),
            "panels": queries.my_panels(request.scope, request.user.person_id),
            "breadcrumbs": _crumbs(("我的竞赛", None)),
        },
    )


@requires("talent.manage")
def competition_new(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    courts = uploads.courts_of(request)
    today = dt.date.today()
    form = CompetitionForm(
        request.POST or None,
        courts=courts,
        initial={"year": today.year, "starts_on": today, "ends_on": today + dt.timedelta(days=60)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competition = actions.do_create_competition(
                request.user,
                form.courts[data["court"]],
                name=data["name"],
                year=data["year"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                drop_extremes=data["drop_extremes"],
                honour_level=data["honour_level"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, "竞赛已创建，请设立竞赛项目")
            return redirect("talent:competition_detail", competition_id=competition.pk)
    return render(
        request,
        "talent/competitions/new.html",
        {"form": form, "breadcrumbs": _crumbs(("创建竞赛", None))},
    )


@requires("talent.view")
def competition_detail(request: AuthenticatedHttpRequest, competition_id: int) -> HttpResponse:
    competition = queries.competition_for(request.scope, competition_id)
    can_manage = request.scope.can("talent.manage") and request.scope.covers_path(
        competition.court.path
    )
    form = TrackForm(request.POST or None) if can_manage else None
    if request.method == "POST" and can_manage and form is not None:
        if request.POST.get("op") == "status":
            try:
                actions.do_set_status(request.user, competition, request.POST.get("status", ""))
                messages.success(request, "竞赛状态已更新")
            except ValidationError as e:
                messages.error(request, error_text(e))
            return redirect("talent:competition_detail", competition_id=competition.pk)
        if form.is_valid():
            d = form.cleaned_data
            try:
                track = actions.do_add_track(
                    request.user,
                    competition,
                    name=d["name"],
                    specialty=d["specialty"],
                    kind=d["kind"],
                    category=d["category"],
                    quotas=(
                        d["quota_first"],
                        d["quota_second"],
                        d["quota_third"],
                        d["quota_excellent"],
                    ),
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, "项目已设立")
                return redirect("talent:competition_track", track_id=track.pk)
    index = STATUS_ORDER.index(competition.status)
    following = STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None
    return render(
        request,
        "talent/competitions/detail.html",
        {
            "competition": competition,
            "tracks": queries.tracks_of(competition),
            "can_manage": can_manage,
            "form": form,
            "next_status": following,
            "next_status_name": CompetitionStatus(following).label if following else "",
            "breadcrumbs": _crumbs((competition.name, None)),
        },
    )


def _track_forms(request: AuthenticatedHttpRequest, track: Any, op: str) -> dict[str, forms.Form]:
    post = request.POST if request.method == "POST" else None
    rounds = [(str(r.pk), str(r)) for r in track.rounds.all()]
    judges = JudgesForm(post if op == "judges" else None)
    cast(forms.ChoiceField, judges.fields["round"]).choices = rounds
    rule = RuleForm(post if op == "rule" else None)
    cast(forms.ChoiceField, rule.fields["court"]).choices = [
        (c.code, c.name)
        for c in uploads.courts_of(request)
        if c.path.startswith(track.competition.court.path)
    ]
    return {
        "criterion": CriterionForm(post if op == "criterion" else None),
        "round": RoundForm(post if op == "round" else None),
        "judges": judges,
        "enrol": PeopleForm(post if op == "enrol" else None),
        "rule": rule,
        "entry": EntryForm(
            post if op == "entry" else None, request.FILES if op == "entry" else None
        ),
    }


def _entry_text(form: EntryForm) -> str:
    upload = form.cleaned_data.get("file")
    if upload is None:
        return str(form.cleaned_data.get("text") or "")
    if upload.size > ENTRY_FILE_LIMIT or not upload.name.lower().endswith(".txt"):
        raise ValidationError({"file": ["请上传不超过512KB的纯文本（.txt）文件"]})
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return str(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": ["文件编码无法识别，请另存为UTF-8纯文本"]})


def _track_post(
    request: AuthenticatedHttpRequest, track: Any, op: str, form: forms.Form | None
) -> str:
    """Do what the track page posted; the success message, or raise ValidationError."""
    user = request.user
    if op == "close":
        rnd = get_scoped(request.scope, track.rounds.all(), pk=request.POST.get("round") or 0)
        going = actions.do_close_round(user, rnd)
        return (
            f"{rnd}评分已结束，{len(going)}人晋级"
            if rnd.advance_rule != AdvanceRule.NONE
            else f"{rnd}评分已结束"
        )
    if op == "awards":
        awards = actions.do_confirm_awards(user, track)
        return f"已确认{len(awards)}个奖项，并登记为荣誉"
    if op == "reveal":
        actions.do_reveal_authors(user, track)
        return "参评文书作者已揭晓"
    if form is None or not form.is_valid():
        raise ValidationError("")
    d = form.cleaned_data
    if op == "criterion":
        actions.do_add_criterion(
            user, track, name=d["name"], max_points=d["max_points"], weight=d["weight"]
        )
        return "评分项已添加"
    if op == "round":
        actions.do_add_round(
            user,
            track,
            stage=d["stage"],
            advance_rule=d["advance_rule"],
            advance_value=d["advance_value"],
            held_on=d["held_on"],
        )
        return "轮次已设立"
    if op == "judges":
        rnd = get_scoped(request.scope, track.rounds.all(), pk=d["round"])
        people = _people(request, d["employee_nos"])
        chief = next((p for p in people if p.employee_no == d["chief"].strip()), None)
        seats = actions.do_add_judges(user, rnd, people, chief=chief)
        return f"已添加{len(seats)}名评委"
    if op == "enrol":
        added = actions.do_enrol(user, track, _people(request, d["employee_nos"]))
        return f"已报名{len(added)}人"
    if op == "rule":
        court = get_scoped(request.scope, Org.objects.courts(), code=d["court"])
        added = actions.do_enrol_by_rule(user, track, court)
        return f"已按规则报名{len(added)}人"
    if op == "entry":
        (author,) = _people(request, d["employee_no"])
        entrant = actions.do_add_entry(
            user, track, author, title=d["title"], text=_entry_text(cast(EntryForm, form))
        )
        return f"参评文书已提交，编号{entrant.code}"
    raise ValidationError("未知操作")


@requires("talent.manage")
def competition_track(request: AuthenticatedHttpRequest, track_id: int) -> HttpResponseBase:
    track = queries.track_for(request.scope, track_id)
    if not request.scope.covers_path(track.competition.court.path):
        raise PermissionDenied("not the organiser")
    op = request.POST.get("op", "") if request.method == "POST" else ""
    forms_ = _track_forms(request, track, op)
    if request.method == "POST":
        form = forms_.get(op)
        try:
            done = _track_post(request, track, op, form)
        except ValidationError as e:
            if form is not None and form.is_bound and form.is_valid():
                add_errors(form, e, {"person": "employee_nos", "text": "text"})
            elif form is None:
                messages.error(request, error_text(e))
        else:
            messages.success(request, done)
            return redirect("talent:competition_track", track_id=track.pk)
    rounds = list(track.rounds.all().prefetch_related("judges__person"))
    return render(
        request,
        "talent/competitions/track.html",
        {
            "track": track,
            "competition": track.competition,
            "criteria": list(Criterion.objects.filter(track=track)),
            "rounds": rounds,
            "entrants": [
                (e, queries.label(e, track)) for e in queries.entrants_of(request.scope, track)
            ],
            "forms": forms_,
            "proposed": [
                (s, queries.label(e, track), p)
                for s, p in queries.proposed_awards(track)
                for e in [Entrant.objects.select_related("person").get(pk=s.entrant_id)]
            ]
            if rounds and not rounds[-1].is_open
            else [],
            "awards": list(track.awards.select_related("entrant__person", "honour")),
            "breadcrumbs": _crumbs(
                (
                    track.competition.name,
                    reverse("talent:competition_detail", args=[track.competition_id]),
                ),
                (track.name, None),
            ),
        },
    )


def _seat(request: AuthenticatedHttpRequest, round_id: int) -> tuple[Any, Any]:
    rnd = queries.round_for(request.scope, round_id)
    seat = queries.judge_seat(request.scope, rnd, request.user.person_id)
    if seat is None:
        raise PermissionDenied("not on this panel")
    return rnd, seat


@requires("talent.view")
def round_score(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    rnd, seat = _seat(request, round_id)
    return render(
        request,
        "talent/competitions/score.html",
        {
            "sheet": queries.sheet(rnd, seat),
            "track": rnd.track,
            "breadcrumbs": _crumbs(
                (
                    rnd.track.competition.name,
                    reverse("talent:competition_detail", args=[rnd.track.competition_id]),
                ),
                (f"{rnd}评分", None),
            ),
        },
    )


@requires("talent.view")
def round_score_cell(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponseBase:
    """One cell of the judge's sheet (HTMX): saved, and the entrant's row sent back."""
    rnd, seat = _seat(request, round_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        entrant = Entrant.objects.get(
            track_id=rnd.track_id, pk=int(request.POST.get("entrant", "0"))
        )
        criterion = Criterion.objects.get(
            track_id=rnd.track_id, pk=int(request.POST.get("criterion", "0"))
        )
    except (ValueError, Entrant.DoesNotExist, Criterion.DoesNotExist):
        raise Http404 from None
    error = ""
    value = request.POST.get("points", "").strip()[:20]
    try:
        actions.do_score(request.user, seat, entrant, criterion, value)
    except ValidationError as e:
        error = error_text(e)
    row = next((r for r in queries.sheet(rnd, seat).rows if r.entrant.pk == entrant.pk), None)
    if row is None:
        raise Http404
    context = {
        "row": row,
        "sheet_editable": True,
        "round": rnd,
        "error": error,
        "error_cell": criterion.pk,
        "bad_value": value,
    }
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("talent:competition_score", round_id=rnd.pk)
    return render(request, "talent/competitions/_score_row.html", context, status=200)


def _results_round(request: AuthenticatedHttpRequest, round_id: int) -> Any:
    rnd = queries.round_for(request.scope, round_id)
    if request.scope.self_only:
        raise PermissionDenied("members see their own results")
    return rnd


@requires("talent.view")
def round_results(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    rnd = _results_round(request, round_id)
    track = rnd.track
    return render(
        request,
        "talent/competitions/results.html",
        {
            "results": queries.results(request.scope, rnd),
            "track": track,
            "competition": track.competition,
            "rounds": list(track.rounds.all()),
            "breadcrumbs": _crumbs(
                (
                    track.competition.name,
                    reverse("talent:competition_detail", args=[track.competition_id]),
                ),
                (f"{rnd}成绩", None),
            ),
        },
    )


@requires("talent.view")
def round_results_xlsx(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponseBase:
    rnd = _results_round(request, round_id)
    res = queries.results(request.scope, rnd)
    headers = [
        "名次",
        "参赛编号",
        "参赛人",
        "所在法院",
        *[f"评委{j.person.name}" for j in res.judges],
        "最后得分",
        "奖项",
        "备注",
    ]
    rows = []
    hidden = rnd.track.hides_authors
    for r in res.rows:
        marks = [
            f"{total}（{queries.DROP_MARKS[mark]}）" if mark else total
            for _, total, mark in r.judges
        ]
        rows.append(
            [
                f"{r.rank}{'（并列）' if r.tied else ''}" if r.rank else "",
                r.entrant.code,
                "（匿名）" if hidden else r.entrant.person.name,
                "" if hidden else r.entrant.person.court.name,
                *marks,
                r.final,
                r.prize,
                ("晋级" if r.advanced else "") + ("" if r.complete else "评分未完成"),
            ]
        )
    name = f"{rnd.track.competition.name}-{rnd}成绩.xlsx".replace("/", "-")
    return uploads.xlsx_download(table_bytes(headers, rows, title="成绩"), name)


@requires("talent.view")
def entry_document(request: AuthenticatedHttpRequest, entrant_id: int) -> HttpResponse:
    """A document entry as a judge reads it: its code and text, its author only once revealed."""
    entrant = get_scoped(
        request.scope, Entrant.objects.select_related("track__competition", "person"), pk=entrant_id
    )
    track = entrant.track
    judging = any(
        queries.judge_seat(request.scope, r, request.user.person_id) for r in track.rounds.all()
    )
    organiser = request.scope.can("talent.manage") and request.scope.covers_path(
        track.competition.court.path
    )
    own = entrant.person_id == request.user.person_id
    if not (judging or organiser or own) or not track.is_anonymous:
        raise PermissionDenied("not a judge of this track")
    return render(
        request,
        "talent/competitions/entry.html",
        {
            "entrant": entrant,
            "track": track,
            "label": queries.label(entrant, track),
            "breadcrumbs": _crumbs(
                (
                    track.competition.name,
                    reverse("talent:competition_detail", args=[track.competition_id]),
                ),
                (queries.label(entrant, track), None),
            ),
        },
    )


routes: list[URLPattern] = [
    path("competitions/", competition_list, name="competition_list"),
    path("competitions/mine/", competition_mine, name="competition_mine"),
    path("competitions/new/", competition_new, name="competition_new"),
    path("competitions/<int:competition_id>/", competition_detail, name="competition_detail"),
    path("competitions/tracks/<int:track_id>/", competition_track, name="competition_track"),
    path("competitions/rounds/<int:round_id>/score/", round_score, name="competition_score"),
    path(
        "competitions/rounds/<int:round_id>/score/cell/",
        round_score_cell,
        name="competition_score_cell",
    ),
    path("competitions/rounds/<int:round_id>/results/", round_results, name="competition_results"),
    path(
        "competitions/rounds/<int:round_id>/results.xlsx",
        round_results_xlsx,
        name="competition_results_xlsx",
    ),
    path("competitions/entries/<int:entrant_id>/", entry_document, name="competition_entry"),
]
