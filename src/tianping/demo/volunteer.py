"""Builder step: volunteer teams, what each service adds to its activity, certificate rules
and the certificates they give (志愿服务).

The services themselves are the `volunteer_service` activities with their attendance that
`demo.activities` draws. This step gives each court a team (the 中院's 天平志愿服务队, a basic
court's 青年志愿服务队) whose members are the people who served, puts the court's services under
it with the people they served (受益群众) and the community they went to, sets the top court's
certificate tiers and issues the certificates the hours earn. Written in bulk, audited by the
build's one event. The demo adds a few volunteers who served only part of a service (through the
action, so points and certificates follow) and makes sure its member log-in holds a certificate.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from tianping.activities.actions import do_plan_activity, do_record_held, do_record_past_activity
from tianping.activities.models import Activity, ActivityStatus, Attendance, AttendanceStatus
from tianping.orgs.models import Org, OrgKind
from tianping.people.models import Person, PersonStatus, PoliticalStatus, PostLevel
from tianping.service.actions.volunteer import sync_certificates
from tianping.service.models.volunteer import (
    CertificateRule,
    TeamMember,
    VolunteerService,
    VolunteerTeam,
)
from tianping.service.queries.volunteer import KIND, yearly_hours

if TYPE_CHECKING:
    from tianping.demo.builder import Build

# 年度志愿服务满N小时 → the certificate, set by the top court for every court below it.
TIERS = ((Decimal("10"), "志愿服务证书"), (Decimal("20"), "优秀志愿者证书"))
TEAM_NAMES = {
    OrgKind.HIGH_COURT: "天平志愿服务总队",
    OrgKind.MID_COURT: "天平志愿服务队",
    OrgKind.BASIC_COURT: "青年志愿服务队",
}
DESCRIPTIONS = {
    OrgKind.HIGH_COURT: "全省法院志愿服务的统筹队伍，组织普法进社区、助老助残、文明创建等活动。",
    OrgKind.MID_COURT: "由院机关党委组建，干警自愿报名，常年开展社区志愿服务和结对帮扶。",
    OrgKind.BASIC_COURT: "以青年干警为主体，深入社区、学校开展志愿服务和法治宣传。",
}
BATCH = 2000


def add_volunteer(build: Build) -> None:
    rng = build.rng("volunteer")
    courts = list(
        Org.objects.filter(pk__in=[build.org_ids[c.code] for c in build.plan.courts]).order_by(
            "path"
        )
    )
    teams: dict[int, VolunteerTeam] = {}
    for court in courts:
        founded = dt.date(build.plan.as_of.year - rng.randint(4, 9), 3, 5)  # 学雷锋纪念日
        teams[court.pk] = VolunteerTeam(
            owner=court,
            court=court,
            name=TEAM_NAMES.get(court.kind, "志愿服务队"),
            founded_on=founded,
            description=DESCRIPTIONS.get(court.kind, ""),
        )
    VolunteerTeam.objects.bulk_create(teams.values(), batch_size=BATCH)

    # Each service goes under its court's team: the court is the deepest court above its org.
    court_paths = sorted(((c.path, c.pk) for c in courts), key=lambda p: -len(p[0]))
    services = list(
        Activity.objects.filter(
            kind=KIND, status=ActivityStatus.HELD, org__path__startswith=courts[0].path
        )
        .order_by("pk")
        .values_list("pk", "org__path", "location", "on")
    )
    records: list[VolunteerService] = []
    court_of: dict[int, int] = {}
    for pk, path, location, _ in services:
        court_id = next(c for p, c in court_paths if path.startswith(p))
        court_of[pk] = court_id
        records.append(
            VolunteerService(
                activity_id=pk,
                team=teams[court_id],
                beneficiaries=rng.choice((20, 30, 40, 50, 60, 80, 100, 120, 150, 200)),
                community=location,
            )
        )
    VolunteerService.objects.bulk_create(records, batch_size=BATCH)

    # Members: whoever served, from their first service (or the team's founding).
    first: dict[tuple[int, int], dt.date] = {}
    on_of = {pk: on for pk, _, _, on in services}
    served = Attendance.objects.filter(
        activity_id__in=[s[0] for s in services], status=AttendanceStatus.PRESENT
    ).values_list("activity_id", "person_id")
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(services), BATCH):
        ids = [s[0] for s in services[start : start + BATCH]]
        for activity_id, person_id in served.filter(activity_id__in=ids):
            key = (court_of[activity_id], person_id)
            day = on_of[activity_id]
            if key not in first or day < first[key]:
                first[key] = day
            pairs.add((person_id, day.year))
    members = [
        TeamMember(
            team=teams[court_id],
            person_id=person_id,
            joined_on=max(day, teams[court_id].founded_on or day),
        )
        for (court_id, person_id), day in sorted(first.items())
    ]
    TeamMember.objects.bulk_create(members, batch_size=BATCH)

    top = courts[0]
    CertificateRule.objects.bulk_create(
        [CertificateRule(court=top, title=title, min_hours=hours) for hours, title in TIERS]
    )
    issued = sync_certificates(None, pairs, on=build.plan.as_of, audit=False)
    build.counts.update(
        volunteer_teams=len(teams),
        volunteer_members=len(members),
        volunteer_services=len(records),
        volunteer_certificates=issued,
    )


def add_volunteer_demo(build: Build) -> None:
    """The builder's step, then what the demo shows on top: a few volunteers who served part
    of a service, a branch team of the demo branch, and a certificate for the member log-in."""
    from tianping.demo.logins import demo_branch

    add_volunteer(build)
    rng = random.Random(f"{build.plan.seed}:volunteer-demo")
    last = build.plan.as_of
    year = last.year
    branch_draft = demo_branch(build)
    branch = Org.objects.get(pk=build.org_ids[branch_draft.code])
    court = branch.court()
    team = VolunteerTeam.objects.create(
        owner=branch,
        court=court,
        name=f"{branch.name}党员志愿服务队",
        founded_on=dt.date(year - 2, 3, 5),
        description="支部党员志愿服务队，结对帮扶社区困难群众。",
    )
    # The member log-in's person, chosen as demo.logins chooses them.
    chosen = next(
        (
            m
            for m in sorted(branch_draft.members, key=lambda m: m.employee_no)
            if m is not branch_draft.secretary
            and m.status == PersonStatus.SERVING
            and m.political_status == PoliticalStatus.MEMBER
            and m.post_level == PostLevel.STAFF
        ),
        None,
    )
    member = Person.objects.filter(pk=chosen.pk).first() if chosen and chosen.pk else None
    people = list(
        Person.objects.filter(party_org=branch, status=PersonStatus.SERVING).order_by("employee_no")
    )
    crew = [p for p in people if p != member][:5]
    if member is not None:
        crew = [member, *crew]
    TeamMember.objects.bulk_create(
        [TeamMember(team=team, person=p, joined_on=dt.date(year - 2, 3, 5)) for p in crew]
    )
    # Two services of the branch team on the plan's last day (so that no earlier entry of
    # the capped points is recomputed, D8); one volunteer leaves half-way. The attendance is
    # written with that part before the service is recorded as held, so points are posted
    # once, from the part (R4.1).
    for title, hours in (
        ("“学雷锋”志愿服务：敬老院送温暖", Decimal("6.0")),
        ("“我为群众办实事”社区义务法律咨询", Decimal("5.0")),
    ):
        activity = do_plan_activity(
            None,
            branch,
            kind=KIND,
            title=title,
            on=last,
            hours=hours,
            location="幸福社区" if "社区" in title else "白塔市第一敬老院",
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    activity=activity,
                    person=p,
                    status=AttendanceStatus.PRESENT,
                    hours=hours / 2 if i == len(crew) - 1 and len(crew) > 2 else hours,
                )
                for i, p in enumerate(crew)
            ]
        )
        do_record_held(None, activity, attendance={}, summary="支部党员志愿服务队开展志愿服务。")
        VolunteerService.objects.create(
            activity=activity, team=team, beneficiaries=rng.randint(30, 90), community="幸福社区"
        )
    # The member log-in holds at least the first tier for the year.
    if member is not None:
        have = yearly_hours([member.pk], [year]).get((member.pk, year), Decimal("0"))
        if have < TIERS[0][0]:
            do_record_past_activity(
                None,
                branch,
                attendance={member.pk: AttendanceStatus.PRESENT},
                kind=KIND,
                title="文明城市创建交通劝导志愿服务",
                on=last,
                hours=min(Decimal("8"), TIERS[0][0] - have).quantize(Decimal("0.1")),
                location="白塔市人民广场",
                summary="党员志愿者参加文明城市创建交通劝导。",
            )
            # The rest of the hours, if any are still missing, as another morning.
            have = yearly_hours([member.pk], [year]).get((member.pk, year), Decimal("0"))
            if have < TIERS[0][0]:
                do_record_past_activity(
                    None,
                    branch,
                    attendance={member.pk: AttendanceStatus.PRESENT},
                    kind=KIND,
                    title="社区环境整治志愿服务",
                    on=last,
                    hours=(TIERS[0][0] - have).quantize(Decimal("0.1")),
                    location="幸福社区",
                    summary="党员志愿者参加社区环境整治。",
                )
