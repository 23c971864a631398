"""The credits each class keeps (R7.2): the statistics read them, so after every kind of
write that changes what a class credits they must equal the figures computed afresh from
attendance and ledgers (`training_stats_from_records`, the computation they replace)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from tests.learning.test_import_training import GOOD_CLASSES, GOOD_PEOPLE, _book
from tests.learning.test_training_stats import A, L, P, small_world  # noqa: F401 - fixture
from tianping.activities import actions as activities
from tianping.activities.models import ActivityStatus
from tianping.learning.actions import training as actions
from tianping.learning.actions.summary import rebuild_all, relines
from tianping.learning.importing import import_training
from tianping.learning.models import (
    ClassCredit,
    ClassSession,
    CourseCategory,
    Enrolment,
    TrainingClass,
    TrainingKind,
)
from tianping.learning.queries.stats import training_stats, training_stats_from_records
from tianping.lib.bulk import update_values
from tianping.people.actions import do_update_person
from tianping.people.models import Person


def _figures(stats):
    def tally(t):
        return (t.key, t.classes, t.participations, t.hours.total, t.hours.political)

    return {
        "total": tally(stats.total),
        "kinds": [tally(t) for t in stats.by_kind],
        "courts": [tally(t) for t in stats.by_court],
        "lines": sorted(tally(t) for t in stats.by_line),
        "categories": stats.by_category,
        "sentence": stats.sentence,
    }


def _same(world, *codes):
    for code in codes or ("BT", "BT-JY"):
        org = world.org(code)
        kept, fresh = training_stats(org, 2024), training_stats_from_records(org, 2024)
        assert _figures(kept) == _figures(fresh), code
    return training_stats(world.org("BT"), 2024)


def _session_of(code, on):
    return ClassSession.objects.select_related("activity").get(
        training_class__code=code, activity__on=on
    )


def test_r7_2_kept_credits_equal_the_fresh_computation_after_every_kind_of_write(small_world):  # noqa: F811
    w = small_world
    admin = w.users["admin"]
    before = _same(w)
    assert before.total.participations == 6

    # Attendance corrected: 赵磊 was absent from the political session, now present.
    session = _session_of("JY-01", dt.date(2024, 3, 5))
    activities.do_set_attendance(admin, session.activity, w.people["zhao"], P)
    after = _same(w)
    assert after.total.hours.total == before.total.hours.total + Decimal("2")

    # A present person marked on leave: 孙丽's only present session now credits nothing.
    activities.do_set_attendance(admin, session.activity, w.people["sun"], L)
    assert _same(w).total.participations == 5

    # A held session cancelled: its attendance credits nothing.
    first = _session_of("JY-01", dt.date(2024, 3, 4))
    activities.do_cancel(admin, first.activity, "改期")
    first.activity.refresh_from_db()
    assert first.activity.status == ActivityStatus.CANCELLED
    _same(w)

    # A ledger enrolment withdrawn.
    ledger = Enrolment.objects.get(training_class__code="BT-01", person=w.people["li"])
    actions.do_withdraw(admin, ledger)
    assert _same(w).total.participations == 4  # JY-01: 王芳, 赵磊; BT-01: 张华庆, 王芳

    # A person's personnel line changed, by hand and in bulk as the roster import does it
    # (`update_values`, no signal): the statistics count them under their line of now.
    do_update_person(admin, w.people["zhang"], category="clerk")
    lines = {t.key: t.participations for t in _same(w).by_line}
    assert lines["clerk"] >= 1
    update_values(
        Person, ["category"], [{"id": w.people["wang"].pk, "category": "judicial_police"}]
    )
    assert {t.key for t in _same(w).by_line} >= {"judicial_police"}
    assert relines() >= 2
    assert not relines()
    _same(w)

    # A new class planned, its sessions recorded with attendance, its plan's categories
    # changed after it was reopened, then cancelled.
    court = w.org("BT-JY")
    tc = actions.do_create_class(
        admin,
        court,
        name="审判业务培训班",
        kind=TrainingKind.BUSINESS,
        starts_on=dt.date(2024, 9, 2),
        ends_on=dt.date(2024, 9, 6),
    )
    actions.do_save_plan(
        admin,
        tc,
        [
            {"title": "民法典", "hours": Decimal("6"), "category": CourseCategory.BUSINESS},
            {"title": "党的建设", "hours": Decimal("2"), "category": CourseCategory.BUSINESS},
        ],
    )
    course = tc.courses.get(title="党的建设")
    s = actions.do_add_session(admin, tc, on=dt.date(2024, 9, 2), course=course)
    activities.do_record_held(
        admin, s.activity, attendance={w.people["wang"].pk: P, w.people["sun"].pk: A}
    )
    grown = _same(w)
    assert grown.total.classes == 3
    actions.do_save_plan(
        admin,
        tc,
        [
            {"title": "民法典", "hours": Decimal("6"), "category": CourseCategory.BUSINESS},
            {"title": "党的建设", "hours": Decimal("2"), "category": CourseCategory.POLITICAL},
        ],
    )
    assert _same(w).total.hours.political == grown.total.hours.political + Decimal("2")
    actions.do_cancel_class(admin, tc)
    assert _same(w).total.classes == 2

    # A training ledger imported (classes and hours in bulk), then imported again changed.
    result = import_training(_book(GOOD_CLASSES, GOOD_PEOPLE), court, admin)
    assert result.ok, result.as_json()
    _same(w)
    changed = [[*row[:3], 30, 10, row[5]] if row[1] == "JY0001" else row for row in GOOD_PEOPLE]
    assert import_training(_book(GOOD_CLASSES, changed), court, admin).ok
    _same(w)


def test_rebuilding_all_credits_gives_the_same_rows(small_world):  # noqa: F811
    rows = set(ClassCredit.objects.values_list("training_class_id", "person_id", "hours"))
    assert rows  # kept by the writes of the fixture
    assert rebuild_all() == TrainingClass.objects.count()
    assert set(ClassCredit.objects.values_list("training_class_id", "person_id", "hours")) == rows


def test_the_summary_command_relines_and_rebuilds(small_world):  # noqa: F811
    out = StringIO()
    call_command("training_summary", "--rebuild", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"classes": TrainingClass.objects.count()}
    out = StringIO()
    call_command("training_summary", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"relined": 0}


def test_migrating_a_database_that_never_had_credits_fills_them_once(small_world):  # noqa: F811
    """An upgraded database holds classes from before the credit rows existed: the next
    `tianping migrate` fills them, and a summarised database is left alone."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from tianping.learning.models import ClassCategoryHours, CreditLineStamp

    kept = set(ClassCredit.objects.values_list("training_class_id", "person_id", "hours"))
    categories = ClassCategoryHours.objects.count()
    assert kept and categories
    ClassCredit.objects.all().delete()
    ClassCategoryHours.objects.all().delete()
    CreditLineStamp.objects.all().delete()
    learning = apps.get_app_config("learning")

    post_migrate.send(sender=learning, app_config=learning, using="default", verbosity=0)

    assert set(ClassCredit.objects.values_list("training_class_id", "person_id", "hours")) == kept
    assert ClassCategoryHours.objects.count() == categories
    assert CreditLineStamp.objects.exists()
    ClassCredit.objects.all().delete()  # summarised now: a later migrate rewrites nothing
    post_migrate.send(sender=learning, app_config=learning, using="default", verbosity=0)
    assert not ClassCredit.objects.exists()
