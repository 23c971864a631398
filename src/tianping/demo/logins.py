"""The demo's log-ins: one account per role, linked to fitting people of the demo city."""

from __future__ import annotations

from dataclasses import dataclass

from tianping.accounts.actions import do_create_user, do_grant
from tianping.accounts.models import Role, User
from tianping.demo.builder import Build
from tianping.demo.roster import Branch, PersonDraft
from tianping.orgs.models import Org
from tianping.people.models import Category, Person, PersonStatus, PoliticalStatus, PostLevel

# Printed after every `tianping demo`: the demo is for trying the product out, so one
# shared, documented password is the point, not a weakness.
DEMO_PASSWORD = "tianping-demo"
MID_COURT = "BT"
BASIC_COURT = "BT-JY"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    person_hint: str  # who the account belongs to, in words; {branch} is the person's branch


# The order here is the order of the printed table.
DEMO_LOGINS = (
    Login("admin", Role.PLATFORM_ADMIN, "（平台账号，不对应人员）"),
    Login("zhengzhibu", Role.POLITICAL_DEPT, "中院政治部干部"),
    Login("dangwei", Role.PARTY_OFFICE, "金源区法院政治部（机关党委办公室）干部"),
    Login("shuji", Role.BRANCH_SECRETARY, "{branch}书记"),
    Login("dangyuan", Role.MEMBER, "{branch}党员"),
    Login("yuanzhang", Role.LEADER, "中院院长"),
)


def _serving(people: list[PersonDraft], **match: str) -> list[PersonDraft]:
    return [
        p
        for p in people
        if p.status == PersonStatus.SERVING and all(getattr(p, k) == v for k, v in match.items())
    ]


def _officer_of(people: list[PersonDraft], dept: str) -> PersonDraft:
    """A full party member on the staff of the department: who does the party's office work."""
    members = [
        p for p in _serving(people, dept=dept) if p.political_status == PoliticalStatus.MEMBER
    ]
    staff = [
        p for p in members if p.post_level == PostLevel.STAFF and p.category == Category.ADMIN_STAFF
    ]
    return (staff or members)[0]


def demo_branch(build: Build) -> Branch:
    """A branch of the basic court with party groups, so the secretary sees them too."""
    roster = next(r for r in build.rosters if r.plan.code == BASIC_COURT)
    with_groups = [b for b in roster.branches if b.groups and b.secretary and b.depts]
    return (with_groups or [b for b in roster.branches if b.secretary])[0]


def _chosen(build: Build) -> dict[str, tuple[PersonDraft | None, str]]:
    """Each log-in's person and the organisation its role is granted on."""
    mid = next(r for r in build.rosters if r.plan.code == MID_COURT)
    basic = next(r for r in build.rosters if r.plan.code == BASIC_COURT)
    branch = demo_branch(build)
    assert branch.secretary is not None
    member = next(
        m
        for m in sorted(branch.members, key=lambda m: m.employee_no)
        if m is not branch.secretary
        and m.status == PersonStatus.SERVING
        and m.political_status == PoliticalStatus.MEMBER
        and m.post_level == PostLevel.STAFF
    )
    chief = next(p for p in mid.leaders if p.post_level == PostLevel.COURT_CHIEF)
    return {
        "admin": (None, MID_COURT),
        "zhengzhibu": (_officer_of(mid.people, f"{MID_COURT}-ZZB"), MID_COURT),
        "dangwei": (_officer_of(basic.people, f"{BASIC_COURT}-ZZB"), BASIC_COURT),
        "shuji": (branch.secretary, branch.code),
        "dangyuan": (member, BASIC_COURT),
        "yuanzhang": (chief, MID_COURT),
    }


def login_people(build: Build) -> dict[str, PersonDraft | None]:
    """Who each log-in is: the records about them should fit their role (see the steps)."""
    return {username: person for username, (person, _) in _chosen(build).items()}


def add_demo_logins(build: Build) -> None:
    chosen = _chosen(build)
    people = Person.objects.in_bulk([d.pk for d, _ in chosen.values() if d is not None])
    orgs = {o.code: o for o in Org.objects.filter(code__in=[code for _, code in chosen.values()])}
    for login in DEMO_LOGINS:
        draft, org_code = chosen[login.username]
        person = people[draft.pk] if draft is not None and draft.pk is not None else None
        user = do_create_user(
            None, login.username, password=DEMO_PASSWORD, person=person, check_password=False
        )
        do_grant(None, user, login.role, orgs[org_code])
    build.counts["users"] = len(DEMO_LOGINS)


def demo_present() -> bool:
    """The demo city and every one of its accounts are there."""
    return Org.objects.filter(code=MID_COURT).exists() and User.objects.filter(
        username__in=[login.username for login in DEMO_LOGINS]
    ).count() == len(DEMO_LOGINS)


@dataclass(frozen=True)
class LoginRow:
    username: str
    password: str
    role: str
    role_name: str
    scope_code: str
    scope_name: str
    person: str


def login_rows() -> list[LoginRow]:
    """The accounts as they stand in the database, for printing and for tests."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
        .select_related("person__party_org")
        .prefetch_related("grants__org")
    }
    rows: list[LoginRow] = []
    for login in DEMO_LOGINS:
        user = users[login.username]
        grant = next(g for g in user.grants.all() if g.role == login.role and g.revoked_at is None)
        person = f"{user.person.name}（{user.person.employee_no}）" if user.person else "—"
        branch = user.person.party_org.name if user.person and user.person.party_org else ""
        hint = login.person_hint.format(branch=branch)
        rows.append(
            LoginRow(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                role_name=Role(login.role).label,
                scope_code=grant.org.code,
                scope_name=grant.org.name,
                person=f"{person} {hint}" if user.person else hint,
            )
        )
    return rows


def format_logins(rows: list[LoginRow]) -> str:
    width = max(len(r.username) for r in rows)
    lines = [
        f"演示账号（共用密码 {DEMO_PASSWORD}，仅供演示）：",
        f"  {'用户名'.ljust(width - 3)}  {'密码'.ljust(len(DEMO_PASSWORD) - 2)}  {'角色'.ljust(14)}  范围  对应人员",
    ]
    for r in rows:
        lines.append(
            f"  {r.username.ljust(width)}  {r.password}  {r.role:<16}  "
            f"{r.role_name} @ {r.scope_name}（{r.scope_code}）  {r.person}"
        )
    return "\n".join(lines)
