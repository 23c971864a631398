"""Democratic review of party members (民主评议党员, R1.6): the list, the 优秀 cap, probationary
members ungraded, closing, its signal, its pages and their scope."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.conftest import World
from tianping.activities import actions
from tianping.activities.models import DemocraticReview, ReviewEntry, ReviewStatus
from tianping.activities.review import (
    do_close_review,
    do_open_review,
    do_update_review,
    excellent_cap,
)
from tianping.audit.models import AuditEvent
from tianping.people.actions import do_create_person
from tianping.people.models import Person

pytestmark = pytest.mark.django_db

YEAR = 2024
DAY = dt.date(2024, 11, 20)


def add_members(world: World, count: int, **fields: Any) -> list[Person]:
    """Full members of 九原区第一党支部 beside 王芳 (full) and 赵磊 (probationary)."""
    branch = world.org("BT-JY-B01")
    start = Person.objects.filter(employee_no__startswith="JY05").count()
    return [
        do_create_person(
            None,
            world.org("BT-JY"),
            employee_no=f"JY05{start + i:02d}",
            name=f"党员{start + i:02d}",
            political_status="member",
            party_org=branch,
            since=dt.date(2020, 1, 1),
            **fields,
        )
        for i in range(count)
    ]


def open_review(world: World, on: dt.date = DAY) -> DemocraticReview:
    return do_open_review(world.users["carol"], world.org("BT-JY-B01"), YEAR, on=on)


def entry(review: DemocraticReview, person: Person) -> ReviewEntry:
    return ReviewEntry.objects.get(review=review, person=person)


def grade_all(review: DemocraticReview, excellent: int) -> dict[int, dict[str, Any]]:
    """Grades for every full member: the first `excellent` of them 优秀, the rest 合格."""
    full = review.entries.filter(probationary=False).order_by("person__employee_no")
    return {
        e.pk: {"grade": "excellent" if i < excellent else "qualified"} for i, e in enumerate(full)
    }


# --- opening ----------------------------------------------------------------------------


def test_opening_lists_every_party_member_placed_in_the_branch_that_day_R1_6(world: World) -> None:
    colleague = add_members(world, 1)[0]
    newcomer = do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0600",
        name="新调入",
        political_status="member",
        party_org=world.org("BT-JY-B01"),
        since=dt.date(2024, 12, 1),
    )
    review = open_review(world)
    listed = {e.person.name: e.probationary for e in review.entries.select_related("person")}
    # 周强 (群众) and 孙丽 (another branch) take no part; 赵磊 is a probationary member; the
    # member placed in the branch after the opening day is not on the list.
    assert listed == {"王芳": False, "赵磊": True, colleague.name: False}
    assert newcomer.name not in listed


def test_a_member_who_became_full_after_the_opening_day_counts_as_probationary_R1_6(
    world: World,
) -> None:
    recent = add_members(world, 1, full_member_on=dt.date(2024, 12, 15))[0]
    review = open_review(world)
    assert entry(review, recent).probationary is True


def test_a_past_years_review_lists_the_members_of_its_last_day(world: World) -> None:
    do_create_person(
        None,
        world.org("BT-JY"),
        employee_no="JY0600",
        name="新调入",
        political_status="member",
        party_org=world.org("BT-JY-B01"),
        since=dt.date(2024, 3, 1),
    )
    review = do_open_review(None, world.org("BT-JY-B01"), 2023)
    assert {e.person.name for e in review.entries.select_related("person")} == {"王芳", "赵磊"}


def test_a_branch_has_one_review_a_year(world: World) -> None:
    open_review(world)
    with pytest.raises(ValidationError) as error:
        open_review(world)
    assert error.value.message_dict == {"year": ["第一党支部2024年度的民主评议已经开启"]}


def test_only_a_party_branch_holds_a_review(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        do_open_review(None, world.org("BT-JY-JGDW"), YEAR, on=DAY)
    assert "不是党支部" in error.value.message_dict["branch"][0]


def test_opening_is_audited(world: World) -> None:
    review = open_review(world)
    event = AuditEvent.objects.get(action="activities.review_open")
    assert (event.user_label, event.object_id, event.org.code) == (
        "carol",
        str(review.pk),
        "BT-JY-B01",
    )
    assert event.after["参评党员"] == ["王芳", "赵磊"]
    assert event.after["预备党员"] == ["赵磊"]


# --- grades -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "cap"), [(0, 0), (2, 0), (3, 1), (5, 1), (6, 2), (7, 2), (8, 2), (9, 3), (10, 3)]
)
def test_the_excellent_cap_is_a_third_of_the_full_members_rounded_down_R1_6(
    full: int, cap: int
) -> None:
    assert excellent_cap(full) == cap


@pytest.mark.parametrize(("full", "cap"), [(7, 2), (9, 3)])
def test_excellent_may_go_to_a_third_of_the_full_members_and_no_more_R1_6(
    world: World, full: int, cap: int
) -> None:
    add_members(world, full - 1)  # 王芳 is the first full member
    review = open_review(world)
    assert review.entries.filter(probationary=False).count() == full
    do_update_review(None, review, entries=grade_all(review, cap))
    assert review.entries.filter(grade="excellent").count() == cap
    with pytest.raises(ValidationError) as error:
        do_update_review(None, review, entries=grade_all(review, cap + 1))
    assert error.value.messages == [
        f"“优秀”不得超过参评正式党员的三分之一（《中国共产党支部工作条例（试行）》关于民主评议党员的规定）：本次参评正式党员{full}人，"
        f"“优秀”最多{cap}人，现评定{cap + 1}人"
    ]
    # Refused whole: the grades stay as they were.
    assert review.entries.filter(grade="excellent").count() == cap


def test_probationary_members_take_part_but_are_not_graded_R1_6(world: World) -> None:
    review = open_review(world)
    zhao = entry(review, world.people["zhao"])
    do_update_review(
        None,
        review,
        entries={zhao.pk: {"self_assessment": "认真学习，按时参加组织生活", "votes_qualified": 5}},
    )
    zhao.refresh_from_db()
    assert (zhao.self_assessment, zhao.votes_qualified) == ("认真学习，按时参加组织生活", 5)
    with pytest.raises(ValidationError) as error:
        do_update_review(None, review, entries={zhao.pk: {"grade": "qualified"}})
    assert error.value.messages == [
        "赵磊是预备党员：参加评议，但不评定等次（《中国共产党支部工作条例（试行）》关于民主评议党员的规定）"
    ]
    zhao.refresh_from_db()
    assert zhao.grade == ""


def test_probationary_members_do_not_count_towards_the_cap_R1_6(world: World) -> None:
    add_members(world, 2)  # 3 full members: 1 may be 优秀; 赵磊 does not make it 4
    review = open_review(world)
    with pytest.raises(ValidationError):
        do_update_review(None, review, entries=grade_all(review, 2))
    do_update_review(None, review, entries=grade_all(review, 1))


def test_votes_must_be_whole_numbers_not_below_zero(world: World) -> None:
    review = open_review(world)
    wang = entry(review, world.people["wang"])
    with pytest.raises(ValidationError) as error:
        do_update_review(None, review, entries={wang.pk: {"votes_excellent": -1}})
    assert error.value.messages == ["王芳的优秀票应为不小于0的整数"]


def test_only_the_changed_fields_are_written_and_audited(world: World) -> None:
    review = open_review(world)
    wang = entry(review, world.people["wang"])
    do_update_review(None, review, entries={wang.pk: {"votes_excellent": 4}})
    do_update_review(None, review, entries={wang.pk: {"grade": "qualified"}})
    wang.refresh_from_db()
    assert (wang.votes_excellent, wang.grade) == (4, "qualified")
    events = AuditEvent.objects.filter(action="activities.review_update").order_by("id")
    assert [(e.before, e.after) for e in events] == [
        ({"王芳（JY0001）": {"优秀票": 0}}, {"王芳（JY0001）": {"优秀票": 4}}),
        ({"王芳（JY0001）": {"评定等次": None}}, {"王芳（JY0001）": {"评定等次": "合格"}}),
    ]
    # Saving the same values again writes nothing.
    do_update_review(None, review, entries={wang.pk: {"grade": "qualified"}})
    assert events.count() == 2


def test_the_meeting_is_the_branches_review_held_with_the_life_meeting(world: World) -> None:
    branch = world.org("BT-JY-B01")
    life = actions.do_record_past_activity(
        None,
        branch,
        attendance={world.people["wang"].pk: "present"},
        kind="life_meeting",
        also_counts_as=["democratic_review"],
        title="2024年度组织生活会暨民主评议党员",
        on=DAY,
    )
    theme_day = actions.do_record_past_activity(
        None, branch, attendance={}, kind="theme_day", title="主题党日", on=DAY
    )
    review = open_review(world)
    do_update_review(None, review, meeting=life)
    review.refresh_from_db()
    assert review.meeting == life
    with pytest.raises(ValidationError):
        do_update_review(None, review, meeting=theme_day)


# --- closing ------------------------------------------------------------------------------


def test_closing_requires_every_full_member_graded_R1_6(world: World) -> None:
    add_members(world, 2)
    review = open_review(world)
    wang = entry(review, world.people["wang"])
    do_update_review(None, review, entries={wang.pk: {"grade": "excellent"}})
    with pytest.raises(ValidationError) as error:
        do_close_review(None, review)
    assert error.value.messages == [
        "还有2名正式党员未评定等次：党员00、党员01；全部评定后才能完成评议"
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    # The probationary 赵磊 needs no grade.
    do_update_review(None, review, entries=grade_all(review, 1))
    do_close_review(world.users["carol"], review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED and review.closed_at is not None


def test_closing_sends_review_closed_inside_the_transaction(world: World) -> None:
    heard: list[tuple[Any, ...]] = []

    def receiver(sender: Any, review: DemocraticReview, user: Any, **kwargs: Any) -> None:
        heard.append((sender, review.pk, review.status, user, connection.in_atomic_block))

    actions.review_closed.connect(receiver)
    try:
        review = open_review(world)
        do_update_review(None, review, entries=grade_all(review, 0))
        do_close_review(world.users["carol"], review)
    finally:
        actions.review_closed.disconnect(receiver)
    assert heard == [(DemocraticReview, review.pk, ReviewStatus.CLOSED, world.users["carol"], True)]


def test_a_failing_receiver_leaves_the_review_open(world: World) -> None:
    def receiver(**kwargs: Any) -> None:
        raise RuntimeError("points could not be posted")

    review = open_review(world)
    do_update_review(None, review, entries=grade_all(review, 0))
    actions.review_closed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            do_close_review(None, review)
    finally:
        actions.review_closed.disconnect(receiver)
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(action="activities.review_close").exists()


def test_a_closed_review_cannot_be_changed_or_closed_again(world: World) -> None:
    review = open_review(world)
    do_update_review(None, review, entries=grade_all(review, 0))
    do_close_review(None, review)
    wang = entry(review, world.people["wang"])
    with pytest.raises(ValidationError):
        do_update_review(None, review, entries={wang.pk: {"grade": "basic"}})
    with pytest.raises(ValidationError):
        do_close_review(None, review)
    close = AuditEvent.objects.get(action="activities.review_close")
    assert close.after["合格"] == 1 and close.after["预备党员（不评定等次）"] == 1


# --- pages ---------------------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The values a browser would post from a page's form fields."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        disabled = "disabled" in a
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if not disabled:
                self.data[name] = a.get("value") or ""
        elif tag == "textarea" and not disabled:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select":
            self._select = None if disabled else name
            if self._select:
                self.data[name] = ""
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._textarea:
                self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def grid_post(page: Any, **overrides: Any) -> dict[str, Any]:
    """What the browser posts back from a rendered grid, with some fields changed."""
    reader = _FormReader()
    reader.feed(page.content.decode())
    reader.data.pop("grant", None)  # the scope switcher in the top bar
    return {**reader.data, **overrides}


def test_a_secretary_opens_grades_and_closes_a_review_in_the_web(world: World) -> None:
    add_members(world, 2)
    client = world.client("carol")
    form = client.get("/activities/reviews/open/?branch=BT-JY-B01")
    assert form.status_code == 200 and "第一党支部" in form.content.decode()
    opened = client.post(
        "/activities/reviews/open/", {"branch": "BT-JY-B01", "year": YEAR, "on": DAY.isoformat()}
    )
    review = DemocraticReview.objects.get()
    assert opened["Location"] == f"/activities/reviews/{review.pk}/"
    page = client.get(opened["Location"])
    body = page.content.decode()
    assert "已开启第一党支部2024年度民主评议，参评党员4人" in body
    assert "预备党员" in body and "最多 1 人" in body
    ids = {e.person.name: e.pk for e in review.entries.select_related("person")}
    saved = client.post(
        opened["Location"],
        grid_post(
            page,
            **{
                f"e{ids['王芳']}-grade": "excellent",
                f"e{ids['王芳']}-self_assessment": "履职尽责",
                f"e{ids['王芳']}-votes_excellent": "3",
                f"e{ids['党员00']}-grade": "qualified",
                f"e{ids['党员01']}-grade": "qualified",
                "action": "close",
            },
        ),
    )
    assert saved.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    wang = entry(review, world.people["wang"])
    assert (wang.grade, wang.self_assessment, wang.votes_excellent) == ("excellent", "履职尽责", 3)
    done = client.get(saved["Location"]).content.decode()
    assert "第一党支部2024年度民主评议已完成" in done
    assert "review-grid" not in done  # read-only once closed


def test_the_page_refuses_too_many_excellent_grades_in_chinese(world: World) -> None:
    add_members(world, 2)
    review = open_review(world)
    client = world.client("carol")
    url = f"/activities/reviews/{review.pk}/"
    page = client.get(url)
    ids = [e.pk for e in review.entries.filter(probationary=False)]
    response = client.post(
        url, grid_post(page, **{f"e{pk}-grade": "excellent" for pk in ids[:2]}, action="save")
    )
    assert response.status_code == 200
    assert "“优秀”最多1人，现评定2人" in response.content.decode()
    assert not review.entries.exclude(grade="").exists()


def test_closing_in_the_web_names_the_members_still_ungraded(world: World) -> None:
    review = open_review(world)
    client = world.client("carol")
    url = f"/activities/reviews/{review.pk}/"
    response = client.post(url, grid_post(client.get(url), action="close"), follow=True)
    assert "已保存，但未能完成评议：还有1名正式党员未评定等次：王芳" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_two_people_saving_the_grid_at_once_lose_nothing(world: World) -> None:
    review = open_review(world)
    wang = entry(review, world.people["wang"])
    url = f"/activities/reviews/{review.pk}/"
    carol, bob = world.client("carol"), world.client("bob")
    carols_page, bobs_page = carol.get(url), bob.get(url)
    carol.post(
        url, grid_post(carols_page, **{f"e{wang.pk}-self_assessment": "自评内容", "action": "save"})
    )
    bob.post(url, grid_post(bobs_page, **{f"e{wang.pk}-votes_qualified": "6", "action": "save"}))
    wang.refresh_from_db()
    assert (wang.self_assessment, wang.votes_qualified) == ("自评内容", 6)


def test_the_probationary_members_grade_cannot_be_chosen_on_the_page(world: World) -> None:
    review = open_review(world)
    zhao = entry(review, world.people["zhao"])
    page = world.client("carol").get(f"/activities/reviews/{review.pk}/").content.decode()
    select = re.search(rf'<select name="e{zhao.pk}-grade"[^>]*>', page).group(0)
    assert "disabled" in select
    # Forcing a grade into the post is ignored: the field is disabled.
    world.client("carol").post(
        f"/activities/reviews/{review.pk}/",
        {f"e{zhao.pk}-grade": "excellent", "action": "save"},
    )
    zhao.refresh_from_db()
    assert zhao.grade == ""


def test_the_list_shows_the_reviews_in_scope_with_their_tallies(world: World) -> None:
    add_members(world, 2)
    review = open_review(world)
    do_update_review(None, review, entries=grade_all(review, 1))
    body = world.client("bob").get("/activities/reviews/").content.decode()
    assert "第一党支部" in body and "3/3" in body and "上限1" in body
    assert (
        world.client("oscar").get("/activities/reviews/").content.decode().count("第一党支部") == 0
    )
    partial = world.client("bob").get(
        "/activities/reviews/?year=2023", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "<html" not in partial.content.decode()
    assert "暂无民主评议记录" in partial.content.decode()


def test_a_member_sees_only_their_own_entry_and_cannot_write(world: World) -> None:
    review = open_review(world)
    wang = entry(review, world.people["wang"])
    do_update_review(
        None, review, entries={wang.pk: {"grade": "qualified", "self_assessment": "王芳的自评"}}
    )
    client = world.client("dave")  # 赵磊
    page = client.get(f"/activities/reviews/{review.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "赵磊" in body and "王芳" not in body
    assert client.post(f"/activities/reviews/{review.pk}/", {"action": "close"}).status_code == 403
    assert "不评定等次" in body
    listing = client.get("/activities/reviews/").content.decode()
    assert "参加评议，不评定等次" in listing
    assert "上限" not in listing  # no branch tallies for a member


def test_a_leader_reads_but_cannot_write(world: World) -> None:
    review = open_review(world)
    client = world.client("erin")
    body = client.get(f"/activities/reviews/{review.pk}/").content.decode()
    assert "王芳" in body and "review-grid" not in body
    assert client.post(f"/activities/reviews/{review.pk}/", {"action": "save"}).status_code == 403
    assert client.get("/activities/reviews/open/").status_code == 403


def test_the_outsider_finds_nothing_R1_6(world: World) -> None:
    review = open_review(world)
    client = world.client("oscar")
    assert client.get(f"/activities/reviews/{review.pk}/").status_code == 404
    assert client.post(f"/activities/reviews/{review.pk}/", {"action": "close"}).status_code == 404
    assert client.get(f"/activities/people/{world.people['wang'].pk}/reviews/").status_code == 404
    # A branch outside the scope is not found, as one that does not exist.
    opened = client.post("/activities/reviews/open/", {"branch": "BT-JY-B01", "year": YEAR})
    assert opened.status_code == 200 and "没有找到“BT-JY-B01”" in opened.content.decode()
    assert DemocraticReview.objects.count() == 1


def test_the_person_partial_lists_results_by_year(world: World) -> None:
    old = do_open_review(None, world.org("BT-JY-B01"), 2023)
    do_update_review(None, old, entries=grade_all(old, 0))
    do_close_review(None, old)
    new = open_review(world)
    do_update_review(None, new, entries=grade_all(new, 0))
    wang_url = f"/activities/people/{world.people['wang'].pk}/reviews/"
    body = world.client("carol").get(wang_url).content.decode()
    assert "<html" not in body
    rows = re.findall(r"<tr>\s*<td>(\d{4})</td>.*?<td>(.*?)</td>\s*<td>", body, re.S)
    assert [year for year, _ in rows] == ["2024", "2023"]
    assert "合格" in body and "评议中" in body
    # The member sees their own results through the same partial, and only their own.
    zhao_url = f"/activities/people/{world.people['zhao'].pk}/reviews/"
    mine = world.client("dave").get(zhao_url).content.decode()
    assert "参加评议，不评定等次" in mine
    assert world.client("dave").get(wang_url).status_code == 404
