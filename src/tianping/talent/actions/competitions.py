"""Writes of skill competitions: set one up (tracks, criteria, rounds, judges, entrants and
anonymous document entries), fill the judges' sheets, close a round (who advances), confirm
a track's awards into honours, reveal the authors of a 文书评选. Each write is audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tianping.audit.recording import record, snapshot
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person, PersonStatus
from tianping.talent import competition_scoring as rules
from tianping.talent.actions.honours import do_record_honour
from tianping.talent.models import HonourKind, HonourLevel, HonourSource
from tianping.talent.models.competitions import (
    STATUS_ORDER,
    AdvanceRule,
    Award,
    Competition,
    CompetitionStatus,
    Criterion,
    Entrant,
    Judge,
    Prize,
    Round,
    RoundEntry,
    RoundStatus,
    Score,
    Stage,
    Track,
    TrackKind,
)
from tianping.talent.queries.competitions import (
    final_round,
    participants,
    proposed_awards,
    round_standings,
)

# The honour a competition's award carries follows its organiser (a 中院's is 市级).
LEVEL_OF_ORGANISER = {
    OrgKind.HIGH_COURT: HonourLevel.PROVINCE,
    OrgKind.MID_COURT: HonourLevel.CITY,
    OrgKind.BASIC_COURT: HonourLevel.COURT,
}
MAX_POINTS = Decimal("1000")
ENTRY_TEXT_LIMIT = 100_000


def _court(competition: Competition) -> Org:
    return competition.court


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{label}“{value}”不是数字"]}) from None
    if not number.is_finite():
        raise ValidationError({field: [f"{label}“{value}”不是数字"]})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: [f"{label}最多保留两位小数"]})
    return number


def do_create_competition(
    user: Any,
    court: Org,
    *,
    name: str,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    drop_extremes: bool = True,
    honour_level: str = "",
) -> Competition:
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not court.is_court:
        errors["court"] = ["主办单位须为法院"]
    if not name:
        errors["name"] = ["请填写竞赛名称"]
    elif len(name) > 200:
        errors["name"] = ["竞赛名称不超过200字"]
    if ends_on < starts_on:
        errors["ends_on"] = ["结束日期不能早于开始日期"]
    if not 2000 <= year <= 2100:
        errors["year"] = ["年度无效"]
    level = honour_level or LEVEL_OF_ORGANISER.get(OrgKind(court.kind), HonourLevel.COURT)
    if level not in HonourLevel.values:
        errors["honour_level"] = ["请选择荣誉级别"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        competition = Competition.objects.create(
            court=court,
            name=name,
            year=year,
            starts_on=starts_on,
            ends_on=ends_on,
            drop_extremes=drop_extremes,
            honour_level=level,
        )
        record(
            user,
            "talent.competition_create",
            competition,
            after=snapshot(
                competition,
                ("court", "name", "year", "starts_on", "ends_on", "drop_extremes", "honour_level"),
            ),
            org=court,
        )
    return competition


def do_set_status(user: Any, competition: Competition, status: str) -> Competition:
    """Move a competition forward (筹备 → 报名 → 评分 → 结束), never back."""
    if status not in STATUS_ORDER:
        raise ValidationError({"status": ["状态无效"]})
    with transaction.atomic():
        competition = Competition.objects.select_for_update().get(pk=competition.pk)
        if STATUS_ORDER.index(status) <= STATUS_ORDER.index(competition.status):
            raise ValidationError({"status": ["竞赛状态只能向后推进"]})
        if (
            status == CompetitionStatus.CLOSED
            and Round.objects.filter(
                track__competition=competition, status=RoundStatus.OPEN
            ).exists()
        ):
            raise ValidationError({"status": ["尚有轮次未结束评分，不能结束竞赛"]})
        before = snapshot(competition, ("status",))
        competition.status = status
        competition.save(update_fields=["status"])
        record(
            user,
            "talent.competition_status",
            competition,
            before=before,
            after=snapshot(competition, ("status",)),
            org=competition.court,
        )
    return competition


def do_add_track(
    user: Any,
    competition: Competition,
    *,
    name: str,
    specialty: str,
    kind: str = TrackKind.SKILL,
    category: str = "",
    quotas: Sequence[int] = (1, 2, 3, 0),
) -> Track:
    name, specialty = name.strip(), specialty.strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = ["请填写项目名称（不超过100字）"]
    if not specialty or len(specialty) > 50:
        errors["specialty"] = ["请填写专业（不超过50字）"]
    if kind not in TrackKind.values:
        errors["kind"] = ["请选择项目类型"]
    if category and category not in [c for c, _ in Person._meta.get_field("category").choices]:  # type: ignore[union-attr]
        errors["category"] = ["人员类别无效"]
    if len(quotas) != 4 or any(not 0 <= q <= 500 for q in quotas):
        errors["quotas"] = ["各奖项名额须在0至500之间"]
    if competition.is_closed:
        errors["name"] = ["竞赛已结束，不能增加项目"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        position = (
            Track.objects.filter(competition=competition).aggregate(m=Max("position"))["m"] or 0
        ) + 1
        track = Track.objects.create(
            competition=competition,
            name=name,
            specialty=specialty,
            kind=kind,
            category=category,
            position=position,
            quota_first=quotas[0],
            quota_second=quotas[1],
            quota_third=quotas[2],
            quota_excellent=quotas[3],
        )
        record(
            user,
            "talent.competition_track",
            track,
            after=snapshot(
                track,
                (
                    "name",
                    "specialty",
                    "kind",
                    "category",
                    "quota_first",
                    "quota_second",
                    "quota_third",
                    "quota_excellent",
                ),
            ),
            org=competition.court,
        )
    return track


def _not_scoring_yet(track: Track) -> None:
    if Score.objects.filter(judge__round__track=track).exists():
        raise ValidationError({"__all__": ["已开始评分，不能再修改评分标准"]})


def do_add_criterion(
    user: Any, track: Track, *, name: str, max_points: Any, weight: Any = "1"
) -> Criterion:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": ["请填写评分项（不超过100字）"]})
    top = _decimal(max_points, "max_points", "满分")
    if not Decimal(0) < top <= MAX_POINTS:
        raise ValidationError({"max_points": ["满分须大于0且不超过1000"]})
    w = _decimal(weight, "weight", "权重")
    if not Decimal(0) < w <= Decimal(100):
        raise ValidationError({"weight": ["权重须大于0且不超过100"]})
    with transaction.atomic():
        _not_scoring_yet(track)
        position = (track.criteria.aggregate(m=Max("position"))["m"] or 0) + 1
        criterion = Criterion.objects.create(
            track=track, name=name, max_points=top, weight=w, position=position
        )
        record(
            user,
            "talent.competition_criterion",
            criterion,
            after=snapshot(criterion, ("name", "max_points", "weight")),
            org=track.competition.court,
        )
    return criterion


def do_add_round(
    user: Any,
    track: Track,
    *,
    stage: str,
    advance_rule: str = AdvanceRule.NONE,
    advance_value: Any = None,
    held_on: dt.date | None = None,
) -> Round:
    if stage not in Stage.values:
        raise ValidationError({"stage": ["请选择赛程"]})
    if advance_rule not in AdvanceRule.values:
        raise ValidationError({"advance_rule": ["请选择晋级办法"]})
    value: Decimal | None = None
    if advance_rule != AdvanceRule.NONE:
        if advance_value in (None, ""):
            raise ValidationError({"advance_value": ["请填写晋级名额或分数线"]})
        value = _decimal(advance_value, "advance_value", "晋级名额或分数线")
        if value <= 0 or value > MAX_POINTS * 100:
            raise ValidationError({"advance_value": ["晋级名额或分数线须大于0"]})
        if advance_rule == AdvanceRule.TOP and value != value.to_integral_value():
            raise ValidationError({"advance_value": ["晋级名额须为整数"]})
    with transaction.atomic():
        last = track.rounds.order_by("-position").first()
        if last is not None and last.advance_rule == AdvanceRule.NONE:
            raise ValidationError(
                {"stage": [f"{last.get_stage_display()}未设晋级办法，其后不能再设轮次"]}
            )
        if last is not None and not last.is_open:
            pass  # a later round may be added after the earlier one closed; entries follow
        rnd = Round.objects.create(
            track=track,
            stage=stage,
            position=(last.position + 1) if last else 1,
            advance_rule=advance_rule,
            advance_value=value,
            held_on=held_on,
        )
        record(
            user,
            "talent.competition_round",
            rnd,
            after=snapshot(rnd, ("stage", "position", "advance_rule", "advance_value", "held_on")),
            org=track.competition.court,
        )
    return rnd


def do_add_judges(
    user: Any, rnd: Round, people: Iterable[Person], chief: Person | None = None
) -> list[Judge]:
    competition = rnd.track.competition
    people = list(people)
    outside = [p.name for p in people if not p.court.path.startswith(competition.court.path)]
    if outside:
        raise ValidationError({"person": [f"{'、'.join(outside)}不在主办法院及其辖区法院"]})
    if not rnd.is_open:
        raise ValidationError({"person": ["本轮评分已结束，不能调整评委"]})
    with transaction.atomic():
        have = set(Judge.objects.filter(round=rnd).values_list("person_id", flat=True))
        added = [
            Judge.objects.create(
                round=rnd, person=p, is_chief=chief is not None and p.pk == chief.pk
            )
            for p in people
            if p.pk not in have
        ]
        if added:
            record(
                user,
                "talent.competition_judges",
                rnd,
                after={"评委": "、".join(j.person.name for j in added)},
                org=competition.court,
            )
    return added


def _new_code(track: Track, taken: set[str], rng: Any = None) -> str:
    """A skill track numbers its entrants (001, 002…); a 文书评选 draws a code at random, so
    that the order of entry tells a judge nothing."""
    if not track.is_anonymous:
        code = f"{len(taken) + 1:03d}"
        while code in taken:
            code = f"{int(code) + 1:03d}"
        return code
    while True:
        number = rng.randrange(1000, 10000) if rng is not None else 1000 + secrets.randbelow(9000)
        code = f"WS{number}"
        if code not in taken:
            return code


def _check_enrolment(track: Track, people: Sequence[Person]) -> None:
    competition = track.competition
    errors: list[str] = []
    if competition.status not in (CompetitionStatus.DRAFT, CompetitionStatus.OPEN):
        errors.append("竞赛已过报名阶段，不能再报名")
    for p in people:
        if not p.court.path.startswith(competition.court.path):
            errors.append(f"{p.name}不在主办法院及其辖区法院")
        elif track.category and p.category != track.category:
            errors.append(f"{p.name}不是{track.get_category_display()}，不能参加本项目")
        elif p.status != PersonStatus.SERVING:
            errors.append(f"{p.name}不在岗")
    if errors:
        raise ValidationError({"person": errors[:20]})


def do_enrol(user: Any, track: Track, people: Iterable[Person], rng: Any = None) -> list[Entrant]:
    """Enter people in a skill track (by hand); those already entered are left as they are."""
    people = list(people)
    if track.is_anonymous:
        raise ValidationError({"person": ["文书评选须逐篇提交参评文书"]})
    _check_enrolment(track, people)
    with transaction.atomic():
        Track.objects.select_for_update().get(pk=track.pk)
        have = dict(Entrant.objects.filter(track=track).values_list("person_id", "code"))
        taken = set(have.values())
        added: list[Entrant] = []
        for p in people:
            if p.pk in have:
                continue
            code = _new_code(track, taken, rng)
            taken.add(code)
            have[p.pk] = code
            added.append(
                Entrant(
                    track=track,
                    person=p,
                    code=code,
                    enrolled_by=user if getattr(user, "pk", None) else None,
                )
            )
        Entrant.objects.bulk_create(added)
        if added:
            record(
                user,
                "talent.competition_enrol",
                track,
                after={
                    "报名人数": len(added),
                    "人员": "、".join(e.person.name for e in added[:50]),
                },
                org=track.competition.court,
            )
    return added


def people_by_rule(track: Track, court: Org) -> list[Person]:
    """Every serving person of a court (and the courts under it) of the track's type."""
    found = (
        Person.objects.serving().filter(court__path__startswith=court.path).select_related("court")
    )
    if track.category:
        found = found.filter(category=track.category)
    return list(found.order_by("court__path", "employee_no"))


def do_enrol_by_rule(user: Any, track: Track, court: Org, rng: Any = None) -> list[Entrant]:
    """Enter every serving person of the track's type in `court`'s subtree ("全院书记员")."""
    if not court.path.startswith(track.competition.court.path):
        raise ValidationError({"court": ["所选法院不在主办法院辖区内"]})
    return do_enrol(user, track, people_by_rule(track, court), rng=rng)


def do_add_entry(
    user: Any, track: Track, person: Person, *, title: str, text: str, rng: Any = None
) -> Entrant:
    """One document in a 文书评选: stored with a code; its author is hidden from the judges."""
    title, text = title.strip(), text.strip()
    errors: dict[str, list[str]] = {}
    if not track.is_anonymous:
        errors["title"] = ["本项目不是文书评选"]
    if not title or len(title) > 200:
        errors["title"] = ["请填写文书标题（不超过200字）"]
    if len(text) < 50:
        errors["text"] = ["文书正文过短（少于50字）"]
    elif len(text) > ENTRY_TEXT_LIMIT:
        errors["text"] = ["文书正文超过十万字"]
    elif person.name and (person.name in text or person.name in title):
        errors["text"] = [f"文书中出现作者姓名“{person.name}”，请先隐去后再提交，以保证匿名评审"]
    if errors:
        raise ValidationError(errors)
    _check_enrolment(track, [person])
    with transaction.atomic():
        Track.objects.select_for_update().get(pk=track.pk)
        if Entrant.objects.filter(track=track, person=person).exists():
            raise ValidationError({"person": [f"{person.name}已提交参评文书"]})
        taken = set(Entrant.objects.filter(track=track).values_list("code", flat=True))
        entrant = Entrant.objects.create(
            track=track,
            person=person,
            code=_new_code(track, taken, rng),
            document_title=title,
            document_text=text,
            enrolled_by=user if getattr(user, "pk", None) else None,
        )
        # The audit names the code, never the author: the log is read by judges' colleagues.
        record(
            user,
            "talent.competition_entry",
            entrant,
            after={"参赛编号": entrant.code, "文书标题": title},
            org=track.competition.court,
        )
    return entrant


def _check_cell(
    judge: Judge, entrant: Entrant, criterion: Criterion, points: Decimal | None
) -> None:
    rnd = judge.round
    if rnd.track.competition.status != CompetitionStatus.SCORING:
        raise ValidationError({"points": ["竞赛不在评分阶段"]})
    if not rnd.is_open:
        raise ValidationError({"points": ["本轮评分已结束"]})
    if criterion.track_id != rnd.track_id or entrant.track_id != rnd.track_id:
        raise ValidationError({"points": ["评分项或参赛人员不属于本项目"]})
    if points is not None and not Decimal(0) <= points <= criterion.max_points:
        raise ValidationError(
            {
                "points": [
                    f"“{criterion.name}”的得分须在0至{criterion.max_points.normalize():f}分之间"
                ]
            }
        )


def _entered(rnd: Round, entrant: Entrant) -> bool:
    return rnd.position == 1 or RoundEntry.objects.filter(round=rnd, entrant=entrant).exists()


def do_score(
    user: Any, judge: Judge, entrant: Entrant, criterion: Criterion, points: Any
) -> Score | None:
    """One cell of a judge's sheet: set (or, with an empty value, clear) a score."""
    judge = Judge.objects.select_related("round__track__competition__court", "person").get(
        pk=judge.pk
    )
    value = None if points in (None, "") else _decimal(points, "points", "得分")
    _check_cell(judge, entrant, criterion, value)
    if not _entered(judge.round, entrant):
        raise ValidationError({"points": ["该选手未进入本轮"]})
    with transaction.atomic():
        if (
            not Round.objects.select_for_update()
            .filter(pk=judge.round_id, status=RoundStatus.OPEN)
            .exists()
        ):
            raise ValidationError({"points": ["本轮评分已结束"]})
        cell = Score.objects.filter(judge=judge, entrant=entrant, criterion=criterion).first()
        before = {"得分": str(cell.points)} if cell else None
        if value is None:
            if cell is not None:
                cell.delete()
            result = None
        elif cell is None:
            result = Score.objects.create(
                judge=judge, entrant=entrant, criterion=criterion, points=value
            )
        else:
            cell.points = value
            cell.save(update_fields=["points", "updated_at"])
            result = cell
        record(
            user,
            "talent.competition_score",
            judge.round,
            before=before,
            after={
                "评委": judge.person.name,
                "参赛编号": entrant.code,
                "评分项": criterion.name,
                "得分": str(value) if value is not None else None,
            },
            org=judge.round.track.competition.court,
        )
    return result


def do_score_sheet(user: Any, judge: Judge, cells: Sequence[tuple[Entrant, Criterion, Any]]) -> int:
    """A judge's whole sheet at once (a sheet import, the demo): all or nothing, one audit row."""
    judge = Judge.objects.select_related("round__track__competition__court", "person").get(
        pk=judge.pk
    )
    rnd = judge.round
    checked: list[tuple[Entrant, Criterion, Decimal]] = []
    errors: list[str] = []
    allowed = {e.pk for e in participants(rnd)}
    for entrant, criterion, points in cells:
        try:
            value = _decimal(points, "points", "得分")
            _check_cell(judge, entrant, criterion, value)
            if entrant.pk not in allowed:
                raise ValidationError({"points": [f"{entrant.code}号未进入本轮"]})
        except ValidationError as e:
            errors.append(f"{entrant.code}号 {criterion.name}：{'；'.join(e.messages)}")
            continue
        checked.append((entrant, criterion, value))
    if errors:
        raise ValidationError({"points": errors[:50]})
    with transaction.atomic():
        existing = {(s.entrant_id, s.criterion_id): s for s in Score.objects.filter(judge=judge)}
        new, changed = [], []
        for entrant, criterion, value in checked:
            cell = existing.get((entrant.pk, criterion.pk))
            if cell is None:
                new.append(Score(judge=judge, entrant=entrant, criterion=criterion, points=value))
            elif cell.points != value:
                cell.points = value
                changed.append(cell)
        Score.objects.bulk_create(new)
        Score.objects.bulk_update(changed, ["points"])
        record(
            user,
            "talent.competition_score",
            rnd,
            after={"评委": judge.person.name, "评分格数": len(checked)},
            org=rnd.track.competition.court,
        )
    return len(checked)


def do_close_round(user: Any, rnd: Round, now: dt.datetime | None = None) -> list[int]:
    """Close a round's scoring: every sheet complete; those who advance enter the next round."""
    with transaction.atomic():
        rnd = Round.objects.select_for_update().select_related("track__competition").get(pk=rnd.pk)
        if not rnd.is_open:
            raise ValidationError({"__all__": ["本轮评分已结束"]})
        if not Criterion.objects.filter(track_id=rnd.track_id).exists():
            raise ValidationError({"__all__": ["本项目尚未设置评分标准"]})
        if not Judge.objects.filter(round=rnd).exists():
            raise ValidationError({"__all__": ["本轮尚未确定评委"]})
        standings = round_standings(rnd)
        if not standings:
            raise ValidationError({"__all__": ["本轮没有参赛人员"]})
        missing = [s for s in standings if not s.complete]
        if missing:
            raise ValidationError(
                {"__all__": [f"尚有{len(missing)}名选手的评分未全部录入，不能结束本轮"]}
            )
        rnd.status = RoundStatus.CLOSED
        rnd.closed_at = now or timezone.now()
        rnd.save(update_fields=["status", "closed_at"])
        going = rules.advancing(standings, rnd.advance_rule, rnd.advance_value)
        following = Round.objects.filter(track_id=rnd.track_id, position=rnd.position + 1).first()
        if following is not None and going:
            RoundEntry.objects.bulk_create(
                [RoundEntry(round=following, entrant_id=e) for e in going], ignore_conflicts=True
            )
        record(
            user,
            "talent.competition_round_close",
            rnd,
            after={"参赛人数": len(standings), "晋级人数": len(going)},
            org=rnd.track.competition.court,
        )
    return going


def do_confirm_awards(user: Any, track: Track, on: dt.date | None = None) -> list[Award]:
    """Confirm a track's prizes: an Award each, and the honour it carries (once per person)."""
    on = on or dt.date.today()
    with transaction.atomic():
        track = (
            Track.objects.select_for_update().select_related("competition__court").get(pk=track.pk)
        )
        if track.awards_confirmed_at is not None:
            raise ValidationError({"__all__": ["本项目奖项已确认，不能重复确认"]})
        last = final_round(track)
        if last is None or last.is_open:
            raise ValidationError({"__all__": ["决赛评分结束后才能确认奖项"]})
        if track.hides_authors:
            raise ValidationError({"__all__": ["请先揭晓参评文书作者，再确认奖项"]})
        competition = track.competition
        entrants = Entrant.objects.select_related("person").in_bulk(
            [s.entrant_id for s, _ in proposed_awards(track)]
        )
        awards = []
        for s, prize in proposed_awards(track):
            entrant = entrants[s.entrant_id]
            label = Prize(prize).label
            honour = do_record_honour(
                user,
                person=entrant.person,
                title=f"{competition.name}{track.name}{label}",
                kind=HonourKind.COMPETITION,
                level=competition.honour_level,
                awarded_by=competition.court.name,
                awarded_on=on,
                note=f"第{s.rank}名{'（并列）' if s.tied else ''}，最后得分{s.final}",
                source=HonourSource.COMPETITION,
                source_ref=f"竞赛{competition.pk}·赛道{track.pk}",
                today=max(on, dt.date.today()),
            )
            awards.append(
                Award.objects.create(
                    track=track,
                    entrant=entrant,
                    prize=prize,
                    rank=s.rank or 0,
                    final_score=s.final or 0,
                    honour=honour,
                    confirmed_at=timezone.now(),
                )
            )
        track.awards_confirmed_at = timezone.now()
        track.save(update_fields=["awards_confirmed_at"])
        record(
            user,
            "talent.competition_awards",
            track,
            after={"获奖人数": len(awards)},
            org=competition.court,
        )
    return awards


def do_reveal_authors(user: Any, track: Track, now: dt.datetime | None = None) -> Track:
    """Reveal who wrote each document of a 文书评选, once every round's scoring is closed."""
    with transaction.atomic():
        track = (
            Track.objects.select_for_update().select_related("competition__court").get(pk=track.pk)
        )
        if not track.is_anonymous:
            raise ValidationError({"__all__": ["本项目不是匿名评审"]})
        if track.revealed_at is not None:
            raise ValidationError({"__all__": ["作者已揭晓"]})
        if not track.rounds.exists() or track.rounds.filter(status=RoundStatus.OPEN).exists():
            raise ValidationError({"__all__": ["评分全部结束后才能揭晓作者"]})
        track.revealed_at = now or timezone.now()
        track.save(update_fields=["revealed_at"])
        record(
            user,
            "talent.competition_reveal",
            track,
            after={"揭晓作者": track.entrants.count()},
            org=track.competition.court,
        )
    return track
