"""Recruitment files built through the actions, as the product builds them.

`sample_file(world)` is also what the permission matrix uses for URLs that name a file
(`pk`) or a step (`step_id`): 钱学敏's file in BT-JY-B01, whose application step carries
a scanned letter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tianping.people.actions import do_create_person
from tianping.people.models import Person, PoliticalStatus
from tianping.recruitment import actions
from tianping.recruitment.models import Recruit, Step, StepKind
from tianping.recruitment.rules import StepInput
from tianping.recruitment.workdays import work_calendar

BRANCH = "BT-JY-B01"


def applicant(
    world: Any,
    no: str = "JY0101",
    name: str = "钱学敏",
    birth: dt.date = dt.date(1995, 5, 4),
    status: str = PoliticalStatus.LEAGUE,
) -> Person:
    """A young colleague of 九原区人民法院, not yet in any branch."""
    found = Person.objects.filter(court=world.org("BT-JY"), employee_no=no).first()
    if found is not None:
        return found
    return do_create_person(
        None,
        world.org("BT-JY"),
        employee_no=no,
        name=name,
        birth_date=birth,
        political_status=status,
        department=world.org("BT-JY-MS"),
        since=dt.date(2020, 1, 1),
    )


def full_members(world: Any, count: int, branch: str = BRANCH) -> list[Person]:
    """`count` more full members of the branch (besides 王芳), placed since 2020."""
    made = []
    start = Person.objects.filter(employee_no__startswith="JYM").count()
    for i in range(start, start + count):
        made.append(
            do_create_person(
                None,
                world.org("BT-JY"),
                employee_no=f"JYM{i:03d}",
                name=f"党员{i:03d}",
                birth_date=dt.date(1980, 1, 1),
                political_status=PoliticalStatus.MEMBER,
                party_joined_on=dt.date(2005, 7, 1),
                full_member_on=dt.date(2006, 7, 1),
                party_org=world.org(branch),
                since=dt.date(2020, 1, 1),
            )
        )
    return made


def open_file(world: Any, person: Person, on: dt.date, user: str = "carol", **kw: Any) -> Recruit:
    return actions.do_open_file(world.users[user], person, world.org(BRANCH), on=on, **kw)


def record(
    world: Any, recruit: Recruit, kind: str, on: dt.date, user: str = "carol", **fields: Any
) -> Step:
    content = fields.pop("content", None)
    file_name = fields.pop("file_name", "")
    step = StepInput(kind=kind, on=on, **fields)
    return actions.do_record_step(
        world.users[user], recruit, step, content=content, file_name=file_name
    )


def refresh(recruit: Recruit) -> Recruit:
    return Recruit.objects.select_related("person", "branch").get(pk=recruit.pk)


# The canonical timeline of one file, every date on or just past its rule's edge.
TIMELINE = {
    "applied": dt.date(2022, 3, 1),
    "talk": dt.date(2022, 3, 15),
    "activist": dt.date(2022, 4, 1),
    "assess1": dt.date(2022, 10, 1),
    "assess2": dt.date(2023, 3, 31),
    "candidate_notice": (dt.date(2023, 3, 27), dt.date(2023, 3, 31)),  # Mon–Fri
    "candidate": dt.date(2023, 4, 3),
    "introducers": dt.date(2023, 4, 10),
    "review": dt.date(2023, 5, 10),
    "training": dt.date(2023, 5, 15),
    "admission_notice": (dt.date(2023, 6, 5), dt.date(2023, 6, 9)),  # Mon–Fri
    "admission": dt.date(2023, 6, 12),
    "approval": dt.date(2023, 7, 10),
    "full": dt.date(2024, 6, 12),
}


def notice_ending(end: dt.date, days: int = 5) -> tuple[dt.date, dt.date]:
    """A notice of `days` working days of China's calendar that ends on `end` (R2.8, D6)."""
    calendar = work_calendar(end - dt.timedelta(days=90), end)
    start, count = end, calendar.is_working_day(end)
    while count < days:
        start -= dt.timedelta(days=1)
        count += calendar.is_working_day(start)
    return start, end


def shifted(shift: int = 0) -> dict[str, Any]:
    """The timeline moved by `shift` days (whole weeks), each notice ending on the same weekday.

    A notice that the move brings over a holiday starts earlier, so that it still runs
    five working days and ends before the step it precedes.
    """
    assert shift % 7 == 0
    delta = dt.timedelta(days=shift)
    return {
        k: notice_ending(v[1] + delta) if isinstance(v, tuple) else v + delta
        for k, v in TIMELINE.items()
    }


def to_activist(
    world: Any, recruit: Recruit, contacts: list[Person] | None = None, shift: int = 0
) -> Recruit:
    t = shifted(shift)
    record(world, recruit, StepKind.TALK, t["talk"], note="支部书记谈话")
    record(
        world,
        recruit,
        StepKind.ACTIVIST,
        t["activist"],
        people=contacts or [world.people["wang"]],
    )
    return refresh(recruit)


def to_candidate(world: Any, recruit: Recruit, shift: int = 0) -> Recruit:
    t = shifted(shift)
    recruit = to_activist(world, recruit, shift=shift)
    record(world, recruit, StepKind.ASSESSMENT, t["assess1"], note="表现良好")
    record(world, recruit, StepKind.ASSESSMENT, t["assess2"], note="表现良好")
    start, end = t["candidate_notice"]
    record(world, recruit, StepKind.CANDIDATE_NOTICE, start, ends_on=end)
    record(world, recruit, StepKind.CANDIDATE, t["candidate"])
    return refresh(recruit)


def ready_for_admission(
    world: Any, recruit: Recruit, introducers: list[Person], shift: int = 0
) -> Recruit:
    t = shifted(shift)
    recruit = to_candidate(world, recruit, shift=shift)
    record(world, recruit, StepKind.INTRODUCERS, t["introducers"], people=introducers)
    record(world, recruit, StepKind.POLITICAL_REVIEW, t["review"], note="政治审查合格")
    record(world, recruit, StepKind.TRAINING, t["training"], days=3, hours=Decimal("24"))
    start, end = t["admission_notice"]
    record(world, recruit, StepKind.ADMISSION_NOTICE, start, ends_on=end)
    return refresh(recruit)


def admitted(world: Any, recruit: Recruit, shift: int = 0) -> Recruit:
    """Voted by a congress of all 4 full members (王芳 and 3 more), awaiting approval."""
    t = shifted(shift)
    members = full_members(world, 3)
    recruit = ready_for_admission(world, recruit, [world.people["wang"], members[0]], shift)
    record(world, recruit, StepKind.ADMISSION, t["admission"], present=4, votes_yes=4)
    return refresh(recruit)


def to_probationary(world: Any, recruit: Recruit, shift: int = 0) -> Recruit:
    """Admitted by the congress and approved by the party committee four weeks later."""
    t = shifted(shift)
    recruit = admitted(world, recruit, shift)
    record(world, recruit, StepKind.APPROVAL, t["approval"], approver="九原区人民法院机关党委")
    return refresh(recruit)


def shift_to(admission_on: dt.date) -> int:
    """The shift (whole weeks) that puts the congress on or just before `admission_on`."""
    days = (admission_on - TIMELINE["admission"]).days
    return days - days % 7


def sample_file(world: Any) -> Recruit:
    """钱学敏's file in BT-JY-B01 with a scanned application letter (for the permission matrix)."""
    existing = Recruit.objects.filter(person__employee_no="JY0101").first()
    if existing is not None:
        return existing
    return open_file(
        world,
        applicant(world),
        TIMELINE["applied"],
        user="admin",
        file_name="入党申请书.pdf",
        content=b"%PDF application letter",
        content_type="application/pdf",
    )


def sample_step(world: Any) -> Step:
    return Step.objects.get(recruit=sample_file(world), kind=StepKind.APPLICATION)
