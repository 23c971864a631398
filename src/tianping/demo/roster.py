"""One court's synthetic roster in memory: departments, people, party branches and groups.

Nothing here touches the database; `builder` writes what this module draws. The shares
follow a typical court after the 2014 reform: about 30% 员额法官, 25% 法官助理, 25% 书记员,
8% 司法警察, 12% 司法行政人员; about 70% of staff in the party.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from tianping.demo.days import meeting_day_from
from tianping.demo.names import ETHNICITIES, Weighted, chinese_number, person_name
from tianping.demo.plans import CourtPlan
from tianping.lib.dates import add_years
from tianping.orgs.models import OrgKind
from tianping.people.models import (
    Category,
    Education,
    Gender,
    PersonStatus,
    PlacementKind,
    PoliticalStatus,
    PostLevel,
)

CATEGORY_SHARES: tuple[tuple[str, float], ...] = (
    (Category.JUDGE, 0.30),
    (Category.JUDGE_ASSISTANT, 0.25),
    (Category.CLERK, 0.25),
    (Category.JUDICIAL_POLICE, 0.08),
    (Category.ADMIN_STAFF, 0.12),
)

# What kind of work a department does decides who works there.
LEADERS, TRIAL, ENFORCEMENT, MANAGEMENT, ADMIN, POLICE = (
    "leaders",
    "trial",
    "enforcement",
    "management",
    "admin",
    "police",
)
LINE_MIX: dict[str, dict[str, float]] = {
    TRIAL: {Category.JUDGE: 1.0, Category.JUDGE_ASSISTANT: 1.0, Category.CLERK: 1.0},
    ENFORCEMENT: {
        Category.JUDGE: 0.7,
        Category.JUDGE_ASSISTANT: 1.1,
        Category.CLERK: 1.1,
        Category.JUDICIAL_POLICE: 0.18,
    },
    MANAGEMENT: {
        Category.JUDGE: 0.25,
        Category.JUDGE_ASSISTANT: 0.25,
        Category.CLERK: 0.1,
        Category.ADMIN_STAFF: 0.6,
    },
    ADMIN: {Category.ADMIN_STAFF: 1.0},
    POLICE: {Category.JUDICIAL_POLICE: 1.0},
}
# Who heads a department of each kind (中层正职/副职).
HEAD_CATEGORY = {
    TRIAL: Category.JUDGE,
    ENFORCEMENT: Category.JUDGE,
    MANAGEMENT: Category.JUDGE,
    ADMIN: Category.ADMIN_STAFF,
    POLICE: Category.JUDICIAL_POLICE,
}


@dataclass(frozen=True)
class Dept:
    suffix: str
    name: str
    line: str
    weight: float


HIGH_COURT_DEPTS = (
    Dept("YLD", "院领导", LEADERS, 0),
    Dept("LA1", "立案第一庭", TRIAL, 1.0),
    Dept("LA2", "立案第二庭", TRIAL, 0.7),
    Dept("MS1", "民事审判第一庭", TRIAL, 1.0),
    Dept("MS2", "民事审判第二庭", TRIAL, 1.0),
    Dept("MS3", "民事审判第三庭", TRIAL, 0.9),
    Dept("MS4", "民事审判第四庭", TRIAL, 0.8),
    Dept("MS5", "民事审判第五庭", TRIAL, 0.7),
    Dept("XS1", "刑事审判第一庭", TRIAL, 0.9),
    Dept("XS2", "刑事审判第二庭", TRIAL, 0.8),
    Dept("XS3", "刑事审判第三庭", TRIAL, 0.6),
    Dept("XZ", "行政审判庭", TRIAL, 0.9),
    Dept("SJ1", "审判监督第一庭", TRIAL, 0.8),
    Dept("SJ2", "审判监督第二庭", TRIAL, 0.6),
    Dept("HJ", "环境资源审判庭", TRIAL, 0.5),
    Dept("ZXJ", "执行局", ENFORCEMENT, 2.0),
    Dept("SGB", "审判管理办公室", MANAGEMENT, 1.0),
    Dept("YJS", "研究室", MANAGEMENT, 0.8),
    Dept("PW", "赔偿委员会办公室", MANAGEMENT, 0.4),
    Dept("ZZB", "政治部", ADMIN, 2.0),
    Dept("BGS", "办公室", ADMIN, 2.0),
    Dept("ZBC", "司法行政装备管理处", ADMIN, 1.0),
    Dept("XXC", "信息技术处", ADMIN, 0.8),
    Dept("LGB", "离退休干部处", ADMIN, 0.4),
    Dept("FJ", "司法警察总队", POLICE, 1.0),
)
MID_COURT_DEPTS = (
    Dept("YLD", "院领导", LEADERS, 0),
    Dept("LAT", "立案庭", TRIAL, 1.2),
    Dept("MS1", "民事审判第一庭", TRIAL, 1.3),
    Dept("MS2", "民事审判第二庭", TRIAL, 1.1),
    Dept("MS3", "民事审判第三庭", TRIAL, 0.9),
    Dept("XS1", "刑事审判第一庭", TRIAL, 1.0),
    Dept("XS2", "刑事审判第二庭", TRIAL, 0.7),
    Dept("XZ", "行政审判庭", TRIAL, 0.8),
    Dept("SJ", "审判监督庭", TRIAL, 0.7),
    Dept("ZXJ", "执行局", ENFORCEMENT, 2.0),
    Dept("SGB", "审判管理办公室", MANAGEMENT, 1.0),
    Dept("YJS", "研究室", MANAGEMENT, 0.6),
    Dept("ZZB", "政治部", ADMIN, 2.0),
    Dept("BGS", "办公室", ADMIN, 2.2),
    Dept("JSS", "司法技术处", ADMIN, 0.6),
    Dept("FJ", "司法警察支队", POLICE, 1.0),
)


def basic_court_depts(court: CourtPlan) -> tuple[Dept, ...]:
    civil = (
        (Dept("MS1", "民事审判第一庭", TRIAL, 1.5), Dept("MS2", "民事审判第二庭", TRIAL, 1.2))
        if court.staff >= 130
        else (Dept("MS", "民事审判庭", TRIAL, 2.2),)
    )
    administrative = (Dept("XZ", "行政审判庭", TRIAL, 0.6),) if court.administrative else ()
    tribunals = tuple(
        Dept(f"FT{i}", f"{place}人民法庭", TRIAL, 0.6) for i, place in enumerate(court.tribunals, 1)
    )
    return (
        Dept("YLD", "院领导", LEADERS, 0),
        Dept("LAT", "立案庭", TRIAL, 1.1),
        *civil,
        Dept("XS", "刑事审判庭", TRIAL, 1.0),
        *administrative,
        Dept("ZXJ", "执行局", ENFORCEMENT, 2.2),
        Dept("SGB", "审判管理办公室", MANAGEMENT, 0.8),
        Dept("ZZB", "政治部", ADMIN, 1.6),
        Dept("BGS", "办公室", ADMIN, 1.8),
        *tribunals,
        Dept("FJ", "司法警察大队", POLICE, 1.0),
    )


def court_depts(court: CourtPlan) -> tuple[Dept, ...]:
    if court.kind == OrgKind.HIGH_COURT:
        return HIGH_COURT_DEPTS
    if court.kind == OrgKind.MID_COURT:
        return MID_COURT_DEPTS
    return basic_court_depts(court)


@dataclass
class OrgNode:
    code: str
    name: str
    kind: str
    children: list[OrgNode] = field(default_factory=list)


@dataclass
class Stint:
    """A placement: in `org` from `since` until `until` (exclusive; None = still there)."""

    kind: str
    org: str
    since: dt.date
    until: dt.date | None
    reason: str


@dataclass
class PersonDraft:
    court: str
    dept: str  # the department code, current or (for leavers) last
    category: str
    post_level: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    education: str
    name: str
    political_status: str
    party_joined_on: dt.date | None
    full_member_on: dt.date | None
    hired_on: dt.date
    status: str = PersonStatus.SERVING
    left_on: dt.date | None = None  # retirement or transfer out
    moved_on: dt.date | None = None  # 交流轮岗 inside the court
    previous_dept: str | None = None
    employee_no: str = ""
    stints: list[Stint] = field(default_factory=list)
    pk: int | None = None

    @property
    def in_party(self) -> bool:
        return self.political_status in (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)

    def current(self, kind: str) -> str | None:
        return next((s.org for s in self.stints if s.kind == kind and s.until is None), None)


@dataclass
class Branch:
    code: str
    name: str
    depts: list[str]
    members: list[PersonDraft] = field(default_factory=list)
    groups: list[OrgNode] = field(default_factory=list)
    secretary: PersonDraft | None = None


@dataclass
class CourtRoster:
    plan: CourtPlan
    tree: OrgNode  # the court with its departments and party organisations (not child courts)
    people: list[PersonDraft]
    branches: list[Branch]
    leaders: list[PersonDraft]


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    if total <= 0 or not weights or sum(weights) <= 0:
        return [0] * len(weights)
    raw = [total * w / sum(weights) for w in weights]
    shares = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


# Age bands (inclusive) per category, as of the plan's day: clerks and assistants are the
# young intake since the 2014 reform; judges need years on the bench first.
AGE_BANDS: dict[str, Weighted[tuple[int, int]]] = {
    Category.JUDGE: Weighted.of(
        [((28, 34), 0.18), ((35, 44), 0.40), ((45, 54), 0.32), ((55, 59), 0.10)]
    ),
    Category.JUDGE_ASSISTANT: Weighted.of(
        [((24, 29), 0.35), ((30, 39), 0.50), ((40, 49), 0.12), ((50, 58), 0.03)]
    ),
    Category.CLERK: Weighted.of(
        [((23, 27), 0.40), ((28, 34), 0.40), ((35, 44), 0.15), ((45, 55), 0.05)]
    ),
    Category.JUDICIAL_POLICE: Weighted.of(
        [((23, 29), 0.30), ((30, 39), 0.35), ((40, 49), 0.25), ((50, 58), 0.10)]
    ),
    Category.ADMIN_STAFF: Weighted.of(
        [((23, 34), 0.30), ((35, 44), 0.28), ((45, 54), 0.30), ((55, 59), 0.12)]
    ),
}
POST_AGES: dict[str, tuple[int, int]] = {
    PostLevel.COURT_CHIEF: (48, 58),
    PostLevel.COURT_DEPUTY: (42, 58),
    PostLevel.DIVISION_CHIEF: (38, 57),
    PostLevel.DIVISION_DEPUTY: (32, 55),
}
MALE_SHARE: dict[str, float] = {
    Category.JUDGE: 0.52,
    Category.JUDGE_ASSISTANT: 0.42,
    Category.CLERK: 0.30,
    Category.JUDICIAL_POLICE: 0.88,
    Category.ADMIN_STAFF: 0.50,
}
LEADER_MALE_SHARE: dict[str, float] = {
    PostLevel.COURT_CHIEF: 0.85,
    PostLevel.COURT_DEPUTY: 0.75,
    PostLevel.DIVISION_CHIEF: 0.62,
}
EDUCATION: dict[str, Weighted[str]] = {
    Category.JUDGE: Weighted.of(
        [(Education.DOCTORATE, 0.03), (Education.MASTER, 0.42), (Education.BACHELOR, 0.55)]
    ),
    Category.JUDGE_ASSISTANT: Weighted.of(
        [(Education.DOCTORATE, 0.02), (Education.MASTER, 0.45), (Education.BACHELOR, 0.53)]
    ),
    Category.CLERK: Weighted.of(
        [(Education.BACHELOR, 0.62), (Education.COLLEGE, 0.35), (Education.SECONDARY, 0.03)]
    ),
    Category.JUDICIAL_POLICE: Weighted.of(
        [(Education.BACHELOR, 0.55), (Education.COLLEGE, 0.43), (Education.SECONDARY, 0.02)]
    ),
    Category.ADMIN_STAFF: Weighted.of(
        [(Education.MASTER, 0.18), (Education.BACHELOR, 0.70), (Education.COLLEGE, 0.12)]
    ),
}
HIRE_AGE: dict[str, tuple[int, int]] = {
    Education.DOCTORATE: (29, 32),
    Education.MASTER: (25, 28),
    Education.BACHELOR: (22, 25),
    Education.COLLEGE: (20, 23),
    Education.SECONDARY: (19, 22),
}
# A department head usually serves as branch secretary; court leaders are ordinary members
# of the branch they attend (双重组织生活), not its secretary.
SECRETARY_RANK: dict[str, int] = {
    PostLevel.DIVISION_CHIEF: 0,
    PostLevel.DIVISION_DEPUTY: 1,
    PostLevel.STAFF: 2,
    PostLevel.COURT_DEPUTY: 3,
    PostLevel.COURT_CHIEF: 4,
}

# Branches: a unit starts a new branch once the one it is filling has 8 members and would
# pass 11; a department of more than 16 members is split into branches of about 8–15 (the
# 审判团队 branches many courts keep, well under the 50 of DOMAIN R1.1).
BRANCH_MIN, BRANCH_FILL, BRANCH_MAX, BRANCH_SPLIT = 8, 11, 16, 8
RETIRED_SHARE, TRANSFERRED_SHARE, MOVED_SHARE = 0.025, 0.015, 0.08
# Members under 35 admitted since the start of last year; their year of probation ended at
# least this many days before the plan's day, so the vote on it falls within the records.
RECENT_ADMISSION, RECENT_FULL_MARGIN = 0.04, 380


class RosterDrawer:
    """Draws one court's roster; the court's own generator keeps courts independent."""

    def __init__(self, plan: CourtPlan, as_of: dt.date, seed: int) -> None:
        self.plan = plan
        self.as_of = as_of
        self.rng = random.Random(f"{seed}:roster:{plan.code}")
        self.depts = court_depts(plan)
        self.code = plan.code

    def dept_code(self, dept: Dept) -> str:
        return f"{self.code}-{dept.suffix}"

    # People -------------------------------------------------------------------------

    def birth_for_age(self, age: int) -> dt.date:
        start = add_years(self.as_of, -(age + 1)) + dt.timedelta(days=1)
        end = add_years(self.as_of, -age)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def draw_age(self, category: str, post_level: str) -> int:
        if post_level in POST_AGES:
            lo, hi = POST_AGES[post_level]
        else:
            lo, hi = AGE_BANDS[category].pick(self.rng)
        return self.rng.randint(lo, hi)

    def draw_person(
        self, dept: str, category: str, post_level: str, *, age: int | None = None
    ) -> PersonDraft:
        rng = self.rng
        age = age if age is not None else self.draw_age(category, post_level)
        birth = self.birth_for_age(age)
        male_share = LEADER_MALE_SHARE.get(post_level, MALE_SHARE[category])
        gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
        education = EDUCATION[category].pick(rng)
        if post_level in (PostLevel.COURT_CHIEF, PostLevel.COURT_DEPUTY) and rng.random() < 0.5:
            education = Education.MASTER
        if age >= 50 and education == Education.MASTER and rng.random() < 0.4:
            education = Education.BACHELOR
        ethnicity = ETHNICITIES.pick(rng)
        name = person_name(rng, gender, birth.year, ethnicity)
        hired_on = self.draw_hire(birth, age, education)
        status, joined, full = self.draw_politics(birth, age, post_level)
        return PersonDraft(
            court=self.code,
            dept=dept,
            category=category,
            post_level=post_level,
            gender=gender,
            birth_date=birth,
            ethnicity=ethnicity,
            education=education,
            name=name,
            political_status=status,
            party_joined_on=joined,
            full_member_on=full,
            hired_on=hired_on,
        )

    def draw_hire(self, birth: dt.date, age: int, education: str) -> dt.date:
        rng = self.rng
        lo, hi = HIRE_AGE[education]
        hire_age = rng.randint(lo, hi)
        if rng.random() < 0.12:  # lateral hires: from a procuratorate, a law firm, the army
            hire_age += rng.randint(2, 12)
        hire_age = min(hire_age, age)
        # Civil-service intakes start in late summer.
        year = birth.year + hire_age
        hired = dt.date(year, rng.choice((7, 8, 9, 10)), rng.randint(1, 28))
        latest = self.as_of - dt.timedelta(days=30)
        if hired > latest:
            hired = latest - dt.timedelta(days=rng.randrange(0, 330))
        return max(hired, add_years(birth, 18) + dt.timedelta(days=1))

    def draw_politics(
        self, birth: dt.date, age: int, post_level: str
    ) -> tuple[str, dt.date | None, dt.date | None]:
        rng = self.rng
        if post_level in (PostLevel.COURT_CHIEF, PostLevel.COURT_DEPUTY, PostLevel.DIVISION_CHIEF):
            p_member = 1.0
        elif post_level == PostLevel.DIVISION_DEPUTY:
            p_member = 0.95
        elif age >= 35:
            p_member = 0.77
        elif age >= 28:
            p_member = 0.63
        else:
            p_member = 0.30
        if rng.random() < p_member:
            # Most join at university, some in their first posts, a few later (R2.1: ≥ 18).
            r = rng.random()
            join_age = (
                rng.randint(19, 22)
                if r < 0.55
                else rng.randint(23, 31)
                if r < 0.9
                else rng.randint(32, 45)
            )
            joined = add_years(birth, join_age) + dt.timedelta(days=rng.randrange(365))
            latest = self.as_of - dt.timedelta(days=400)
            if age < 35 and rng.random() < RECENT_ADMISSION:
                # Admitted by their branch since the start of last year, and full members by
                # now: the branch congresses of the records voted on them (R2.6, R2.7).
                earliest = max(
                    dt.date(self.as_of.year - 1, 1, 1), add_years(birth, 18) + dt.timedelta(1)
                )
                recent = self.as_of - dt.timedelta(days=RECENT_FULL_MARGIN)
                if earliest < recent:
                    joined = earliest + dt.timedelta(days=rng.randrange((recent - earliest).days))
                    latest = recent
            if joined > latest:
                earliest = add_years(birth, 18) + dt.timedelta(days=1)
                joined = earliest + dt.timedelta(
                    days=rng.randrange(max(1, (latest - earliest).days))
                )
            # The branch congress that admitted them met on a working day; R2.7: full
            # membership one year after it.
            joined = meeting_day_from(joined)
            return PoliticalStatus.MEMBER, joined, add_years(joined, 1)
        if age < 40 and rng.random() < 0.08:
            joined = meeting_day_from(self.as_of - dt.timedelta(days=rng.randrange(20, 360)))
            return PoliticalStatus.PROBATIONARY, joined, None
        if age <= 28 and rng.random() < 0.85:
            return PoliticalStatus.LEAGUE, None, None
        r = rng.random()
        if r < 0.05:
            return PoliticalStatus.DEMOCRATIC_PARTY, None, None
        if r < 0.06:
            return PoliticalStatus.NON_PARTY, None, None
        return PoliticalStatus.MASSES, None, None

    def category_for(self, dept: Dept) -> str:
        mix = LINE_MIX[dept.line]
        return Weighted.of(list(mix.items())).pick(self.rng)

    # The court -------------------------------------------------------------------------

    def draw(self) -> CourtRoster:
        rng = self.rng
        staff = self.plan.staff
        counts = dict(
            zip(
                [c for c, _ in CATEGORY_SHARES],
                largest_remainder(staff, [s for _, s in CATEGORY_SHARES]),
                strict=True,
            )
        )
        leaders_dept = self.dept_code(self.depts[0])
        deputies = min(rng.randint(3, 5), max(1, staff // 20))
        # 院长 and most 副院长 are judges; the 政治部主任 and 纪检组长 usually are not.
        leader_posts = [(PostLevel.COURT_CHIEF, Category.JUDGE)] + [
            (PostLevel.COURT_DEPUTY, Category.ADMIN_STAFF if i in (1, 4) else Category.JUDGE)
            for i in range(deputies)
        ]
        leaders: list[PersonDraft] = []
        category: str
        for post, category in leader_posts:
            counts[category] -= 1
            leaders.append(self.draw_person(leaders_dept, category, post))

        working = [d for d in self.depts if d.line != LEADERS]
        by_dept: dict[str, list[str]] = defaultdict(list)
        for category, count in counts.items():
            takers = [d for d in working if category in LINE_MIX[d.line]]
            shares = largest_remainder(
                count, [d.weight * LINE_MIX[d.line][category] for d in takers]
            )
            for dept, n in zip(takers, shares, strict=True):
                by_dept[self.dept_code(dept)].extend([category] * n)

        people: list[PersonDraft] = list(leaders)
        for dept in working:
            code = self.dept_code(dept)
            categories = by_dept[code]
            rng.shuffle(categories)
            posts = self.dept_posts(dept, categories)
            people.extend(
                self.draw_person(code, c, p) for c, p in zip(categories, posts, strict=True)
            )

        people.extend(self.draw_leavers(working, staff))
        self.draw_moves(people, working)
        self.place_departments(people)
        branches, party_root = self.form_branches(people, working, leaders)
        self.place_party(people, branches, leaders)
        self.number(people)
        tree = self.build_tree(branches, party_root)
        return CourtRoster(self.plan, tree, people, branches, leaders)

    def dept_posts(self, dept: Dept, categories: list[str]) -> list[str]:
        """中层正职 (one per department) and 中层副职 (by size), the head from the right line."""
        posts: list[str] = [PostLevel.STAFF] * len(categories)
        if not categories:
            return posts
        wanted = HEAD_CATEGORY[dept.line]
        candidates = [i for i, c in enumerate(categories) if c == wanted] or list(
            range(len(categories))
        )
        n = len(categories)
        deputies = 3 if n >= 30 else 2 if n >= 18 else 1 if n >= 8 else 0
        for rank, i in enumerate(candidates[: 1 + deputies]):
            posts[i] = PostLevel.DIVISION_CHIEF if rank == 0 else PostLevel.DIVISION_DEPUTY
        return posts

    def draw_leavers(self, working: list[Dept], staff: int) -> list[PersonDraft]:
        """Those who retired or transferred out in the last three years: history to keep."""
        rng = self.rng
        leavers: list[PersonDraft] = []
        window = 3 * 365
        weights = [d.weight for d in working]
        for _ in range(round(staff * RETIRED_SHARE)):
            dept = rng.choices(working, weights=weights)[0]
            category = self.category_for(dept)
            post = PostLevel.DIVISION_DEPUTY if rng.random() < 0.15 else PostLevel.STAFF
            retired_on = self.as_of - dt.timedelta(days=rng.randrange(1, window))
            person = self.draw_person(self.dept_code(dept), category, post, age=60)
            # Retired on the 60th birthday, inside the window: at most three years earlier
            # than the birth drawn, so hire and party dates stay after the 18th birthday.
            person.birth_date = add_years(retired_on, -60)
            person.status, person.left_on = PersonStatus.RETIRED, retired_on
            leavers.append(person)
        for _ in range(round(staff * TRANSFERRED_SHARE)):
            dept = rng.choices(working, weights=weights)[0]
            person = self.draw_person(
                self.dept_code(dept), self.category_for(dept), PostLevel.STAFF
            )
            left = self.as_of - dt.timedelta(days=rng.randrange(30, window))
            if left <= person.hired_on + dt.timedelta(days=60):
                left = person.hired_on + dt.timedelta(days=60)
            if left >= self.as_of:
                continue
            person.status, person.left_on = PersonStatus.TRANSFERRED, left
            leavers.append(person)
        for person in leavers:
            self.fit_to_departure(person)
        return leavers

    def fit_to_departure(self, person: PersonDraft) -> None:
        """Dates of a leaver all fall before the day they left."""
        assert person.left_on is not None
        if person.hired_on >= person.left_on - dt.timedelta(days=60):
            person.hired_on = add_years(person.left_on, -5)
        for attr in ("party_joined_on", "full_member_on"):
            value = getattr(person, attr)
            if value is not None and value >= person.left_on:
                person.political_status, person.party_joined_on, person.full_member_on = (
                    PoliticalStatus.MASSES,
                    None,
                    None,
                )
                break

    def draw_moves(self, people: list[PersonDraft], working: list[Dept]) -> None:
        """交流轮岗: some serving staff changed department inside the court lately."""
        rng = self.rng
        earliest = self.as_of - dt.timedelta(days=3 * 365)
        lines = {self.dept_code(d): d.line for d in working}
        judicial = {TRIAL, ENFORCEMENT, MANAGEMENT}
        for person in people:
            if (
                person.status != PersonStatus.SERVING
                or person.post_level != PostLevel.STAFF
                or person.hired_on >= earliest - dt.timedelta(days=60)
                or rng.random() >= MOVED_SHARE
            ):
                continue
            line = lines[person.dept]
            same_side = [
                d
                for d, ln in lines.items()
                if d != person.dept and ((ln in judicial) == (line in judicial))
            ]
            if not same_side:
                continue
            person.previous_dept = rng.choice(same_side)
            person.moved_on = earliest + dt.timedelta(
                days=rng.randrange((self.as_of - earliest).days - 30)
            )

    def place_departments(self, people: list[PersonDraft]) -> None:
        for p in people:
            end = p.left_on
            if p.previous_dept and p.moved_on:
                p.stints.append(
                    Stint(PlacementKind.DEPARTMENT, p.previous_dept, p.hired_on, p.moved_on, "入职")
                )
                p.stints.append(
                    Stint(PlacementKind.DEPARTMENT, p.dept, p.moved_on, end, "交流轮岗")
                )
            else:
                p.stints.append(Stint(PlacementKind.DEPARTMENT, p.dept, p.hired_on, end, "入职"))

    # Party organisations ------------------------------------------------------------------

    def form_branches(
        self, people: list[PersonDraft], working: list[Dept], leaders: list[PersonDraft]
    ) -> tuple[list[Branch], OrgNode | None]:
        members: dict[str, int] = defaultdict(int)
        for p in people:
            if (
                p.in_party
                and p.status == PersonStatus.SERVING
                and p.post_level
                not in (
                    PostLevel.COURT_CHIEF,
                    PostLevel.COURT_DEPUTY,
                )
            ):
                members[p.dept] += 1
        units: list[list[str]] = []  # each entry: departments sharing one branch
        pending: list[str] = []
        pending_n = 0

        def flush() -> None:
            nonlocal pending, pending_n
            if pending and pending_n < BRANCH_MIN and units:
                units[-1].extend(pending)
            elif pending:
                units.append(pending)
            pending, pending_n = [], 0

        for dept in working:
            code, n = self.dept_code(dept), members[self.dept_code(dept)]
            if n == 0:
                continue
            if n > BRANCH_MAX:
                # Small departments waiting for a partner join the first part instead.
                carried = pending if pending_n < BRANCH_MIN else []
                if not carried:
                    flush()
                for part in range(max(2, n // BRANCH_SPLIT)):
                    units.append([*carried, code] if part == 0 else [code])
                pending, pending_n = [], 0
                continue
            if pending and pending_n >= BRANCH_MIN and pending_n + n > BRANCH_FILL:
                flush()
            pending.append(code)
            pending_n += n
        flush()
        if not units:
            units.append([self.dept_code(working[0])])

        retired_members = [
            p for p in people if p.status == PersonStatus.RETIRED and p.in_party and p.left_on
        ]
        total = sum(members.values()) + len(leaders)
        with_retired = len(retired_members) >= BRANCH_MIN
        branch_count = len(units) + (1 if with_retired else 0)
        branches = [
            Branch(f"{self.code}-B{i:02d}", f"第{chinese_number(i)}党支部", depts)
            for i, depts in enumerate(units, 1)
        ]
        if with_retired:
            branches.append(Branch(f"{self.code}-B{branch_count:02d}", "离退休干部党支部", []))

        # R1.2: a party committee from 100 members, a general branch from 50; fewer, and
        # the branches sit directly under the court.
        # Retired members stay in the court's party organisation either way (their own
        # branch, or the one they belonged to).
        total += len(retired_members)
        if total >= 100:
            party_root: OrgNode | None = OrgNode(
                f"{self.code}-JGDW", "机关党委", OrgKind.PARTY_COMMITTEE
            )
        elif total >= 50:
            party_root = OrgNode(f"{self.code}-DZZ", "机关党总支", OrgKind.GENERAL_BRANCH)
        else:
            party_root = None
        return branches, party_root

    def place_party(
        self, people: list[PersonDraft], branches: list[Branch], leaders: list[PersonDraft]
    ) -> None:
        rng = self.rng
        branch_of: dict[str, list[Branch]] = defaultdict(list)
        ordinary = [b for b in branches if b.depts]
        # The parts of a large department each list it, and take its members in turn.
        for branch in ordinary:
            for dept in branch.depts:
                branch_of[dept].append(branch)
        retired_branch = next((b for b in branches if not b.depts), None)
        fallback = ordinary[0]
        turn: dict[str, int] = defaultdict(int)

        def branch_for(dept: str) -> Branch:
            options = branch_of.get(dept) or [fallback]
            turn[dept] += 1
            return options[(turn[dept] - 1) % len(options)]

        # Court leaders keep their party life in the branch of a department they oversee.
        leader_branches = {id(p): ordinary[(i * 3) % len(ordinary)] for i, p in enumerate(leaders)}
        for p in people:
            if not p.in_party or p.party_joined_on is None:
                continue
            start = max(p.hired_on, p.party_joined_on)
            reason = "入党" if p.party_joined_on >= p.hired_on else "组织关系转入"
            end = p.left_on
            if end is not None and start >= end:
                continue
            current = leader_branches.get(id(p)) or branch_for(p.dept)
            if p.previous_dept and p.moved_on and start < p.moved_on:
                before = branch_for(p.previous_dept)
                if before is not current:
                    p.stints.append(
                        Stint(PlacementKind.PARTY_ORG, before.code, start, p.moved_on, reason)
                    )
                    start, reason = p.moved_on, "交流轮岗"
            if p.status == PersonStatus.RETIRED and retired_branch is not None and end is not None:
                p.stints.append(Stint(PlacementKind.PARTY_ORG, current.code, start, end, reason))
                retired_branch.members.append(p)
                p.stints.append(
                    Stint(PlacementKind.PARTY_ORG, retired_branch.code, end, None, "退休")
                )
                continue
            if p.status == PersonStatus.RETIRED:
                # No retirees' branch in this court: a retired member keeps their party
                # life in the branch they belonged to (their relation stays with the court).
                end = None
            p.stints.append(Stint(PlacementKind.PARTY_ORG, current.code, start, end, reason))
            if end is None:
                current.members.append(p)

        for branch in branches:
            n = len(branch.members)
            groups = 3 if n >= 24 else 2 if n >= 14 else 0
            branch.groups = [
                OrgNode(f"{branch.code}-G{g}", f"第{chinese_number(g)}党小组", OrgKind.GROUP)
                for g in range(1, groups + 1)
            ]
            full = [
                m
                for m in branch.members
                if m.political_status == PoliticalStatus.MEMBER and m.status == PersonStatus.SERVING
            ]
            if full:
                branch.secretary = min(
                    full, key=lambda m: (SECRETARY_RANK[m.post_level], m.birth_date)
                )
            if not branch.groups:
                continue
            order = list(branch.members)
            rng.shuffle(order)
            for i, member in enumerate(order):
                group = branch.groups[i % len(branch.groups)]
                since = next(
                    s.since
                    for s in member.stints
                    if s.kind == PlacementKind.PARTY_ORG and s.until is None
                )
                member.stints.append(
                    Stint(PlacementKind.PARTY_GROUP, group.code, since, None, "编入党小组")
                )

    def number(self, people: list[PersonDraft]) -> None:
        """工号 in order of joining the court, as personnel offices hand them out."""
        people.sort(key=lambda p: (p.hired_on, p.birth_date, p.name))
        for i, p in enumerate(people, 1):
            p.employee_no = f"{self.plan.number_prefix}{i:04d}"

    def build_tree(self, branches: list[Branch], party_root: OrgNode | None) -> OrgNode:
        court = OrgNode(self.code, self.plan.name, self.plan.kind)
        court.children.append(OrgNode(f"{self.code}-DZ", "党组", OrgKind.LEADING_GROUP))
        for dept in self.depts:
            court.children.append(OrgNode(self.dept_code(dept), dept.name, OrgKind.DEPARTMENT))
        holder = court
        if party_root is not None:
            court.children.append(party_root)
            holder = party_root
        for branch in branches:
            node = OrgNode(branch.code, branch.name, OrgKind.BRANCH, list(branch.groups))
            holder.children.append(node)
        return court
