"""`tianping generate` writes three years of training classes; `tianping bench` times the
training statistics, a person's hours and the ledger import, and leaves nothing behind."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from tianping import benchmarks
from tianping.audit.models import AuditEvent
from tianping.learning.models import Enrolment, TrainingClass, TrainingRequirement
from tianping.learning.queries.stats import training_stats
from tianping.orgs.models import COURT_KINDS, Org


def _generate() -> dict:
    out = io.StringIO()
    call_command(
        "generate", "--profile", "city", "--seed", "4", "--scale", "0.05", "--json",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    return json.loads(out.getvalue())


def test_generate_writes_three_years_of_classes_for_every_court_with_ledger_hours(empty_db):
    summary = _generate()
    assert summary["training_classes"] == TrainingClass.objects.count() > 0
    assert summary["enrolments"] == Enrolment.objects.count() > 0
    years = TrainingClass.objects.dates("starts_on", "year")
    assert [d.year for d in years] == [2023, 2024, 2025]
    courts = Org.objects.filter(kind__in=COURT_KINDS)
    assert set(TrainingClass.objects.values_list("court", flat=True)) == set(
        courts.values_list("pk", flat=True)
    )
    assert not Enrolment.objects.filter(ledger_hours__isnull=True).exists()
    assert TrainingRequirement.objects.count() == courts.count() * 5


def test_the_statistics_floor_answers_what_the_statistics_count(empty_db):
    _generate()
    top = benchmarks._top_court()
    year = benchmarks._training_year(top)
    classes, ledger, sessions, _ = benchmarks.run_floor(benchmarks.training_stats_floor(top, year))
    stats = training_stats(top, year)
    assert stats.total.classes == len(classes)
    assert stats.total.participations == len(ledger) + len(sessions)


def test_the_training_bench_cases_run_and_leave_nothing_behind(empty_db):
    _generate()
    before = (TrainingClass.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count())
    results = [r.as_dict() for r in benchmarks.bench_training()]
    assert [r["name"] for r in results] == [
        "training_stats_top_court",
        "training_stats_page_top_court",
        "training_stats_cli_top_court",
        "person_yearly_hours",
    ]
    assert all(r["floor_ms"] for r in results)
    top = benchmarks._top_court()
    imported = benchmarks.bench_training_import(top, participations=200, per_class=10).as_dict()
    assert imported["name"] == "training_import_200_participations"
    assert "20 classes × 10" in imported["note"]
    after = (TrainingClass.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count())
    assert after == before
