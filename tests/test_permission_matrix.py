"""The permission matrix: every web route, every persona, in scope, out of scope, anonymous.

Routes are enumerated from the URL resolver, and what each one needs is read from the
capability its view declares (accounts.permissions), so a new route is covered without a
test being written for it. A route whose URL takes an argument `_sample` does not know fails
here until a sample object is named for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tianping.accounts.models import User
from tianping.accounts.permissions import PUBLIC
from tianping.accounts.scoping import scope_for, scoped
from tianping.activities.actions import do_add_evidence, do_plan_activity, do_record_held
from tianping.activities.models import Activity, DemocraticReview, Evidence, ReviewEntry
from tianping.audit.models import AuditEvent
from tianping.orgs.models import Org
from tianping.people.models import Person

PERSONAS = ["admin", "alice", "bob", "carol", "dave", "erin", "oscar"]
OUR_MARKERS = ["九原区人民法院", "王芳", "张华庆"]


@dataclass
class Route:
    name: str
    pattern: str
    view: Any
    kwargs: list[str]

    @property
    def capability(self) -> str | None:
        return getattr(self.view, "required_capability", None)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "api":
                continue  # the API has its own matrix (tests/api), driven by its OpenAPI schema
            routes += _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            routes.append(
                Route(
                    name,
                    prefix + str(entry.pattern),
                    entry.callback,
                    list(entry.pattern.converters),
                )
            )
    return routes


ROUTES = _walk(get_resolver())


def _sample_activity(world) -> Activity:
    """A held committee meeting of BT-JY-B01 that dave (赵磊) attended, so he is in its scope."""
    existing = Activity.objects.filter(title="矩阵样本支委会").first()
    if existing is not None:
        return existing
    activity = do_plan_activity(
        None,
        world.org("BT-JY-B01"),
        kind="branch_committee",
        title="矩阵样本支委会",
        on=dt.date(2024, 3, 28),
    )
    people = world.people
    return do_record_held(
        None, activity, attendance={people["wang"].pk: "present", people["zhao"].pk: "absent"}
    )


def _sample_review(world) -> DemocraticReview:
    review = DemocraticReview.objects.filter(branch__code="BT-JY-B01", year=2024).first()
    if review is None:
        review = DemocraticReview.objects.create(branch=world.org("BT-JY-B01"), year=2024)
        ReviewEntry.objects.create(review=review, person=world.people["zhao"], probationary=True)
    return review


def _sample_enrolment(world):
    """王芳 (BT-JY-B01) enrolled in a class of 九原区法院, with a certificate."""
    from tianping.learning.actions import training as learning
    from tianping.learning.models import Enrolment

    existing = Enrolment.objects.filter(training_class__name="矩阵样本培训班").first()
    if existing is not None:
        return existing
    tc = learning.do_create_class(
        None,
        world.org("BT-JY"),
        name="矩阵样本培训班",
        kind="business",
        starts_on=dt.date(2024, 3, 4),
        ends_on=dt.date(2024, 3, 5),
    )
    (enrolment,) = learning.do_enrol(None, tc, [world.people["wang"]])
    learning.do_set_result(None, enrolment, "passed")
    return learning.do_issue_certificate(None, enrolment)


def _study_plan(world) -> tuple[Any, type]:
    from tests.learning.study_samples import sample_plan

    plan = sample_plan(world)
    return plan, type(plan)


def _reflection(world) -> tuple[Any, type]:
    from tests.learning.study_samples import sample_reflection

    reflection = sample_reflection(world)
    return reflection, type(reflection)


def _question(world) -> tuple[Any, type]:
    from tests.learning.quiz_factories import matrix_sample
    from tianping.learning.models import Question

    sample = matrix_sample(world, "quiz_id")  # its bank is BT-JY's
    return Question.objects.get(pk=sample.items.order_by("position")[0].question_id), Question


def _volunteer(world, what: str) -> tuple[Any, type]:
    from tests.service.volunteer_samples import matrix_sample

    obj = matrix_sample(world, what)
    return obj, type(obj)


# Routes whose `pk` is not the app's usual object.
ROUTE_SAMPLES = {
    "activities:person_reviews": lambda world: (world.people["wang"], Person),
    "activities:person_history": lambda world: (world.people["wang"], Person),
    "activities:review": lambda world: (_sample_review(world), DemocraticReview),
    "points:person": lambda world: (world.people["wang"], Person),
    "points:reverse": lambda world: (world.people["wang"], Person),
    "learning:study_plan": _study_plan,
    "learning:study_reflection": _reflection,
    "learning:study_revise": _reflection,
    "learning:study_similarity": _reflection,
    "learning:quiz_question_active": _question,
    "service:volunteer_team": lambda world: _volunteer(world, "team"),
    "service:volunteer_team_members": lambda world: _volunteer(world, "team"),
    "service:volunteer_service": lambda world: _volunteer(world, "service"),
    "service:volunteer_person": lambda world: (world.people["zhao"], Person),
    "service:volunteer_certificate": lambda world: _volunteer(world, "certificate"),
    "talent:person_honours": lambda world: (world.people["wang"], Person),
}


def _sample(world, app: str, kwarg: str, route_name: str = "") -> tuple[Any, type | None, Any]:
    """(value for the URL, model to check scope against, the object) for a URL argument."""
    if kwarg == "pk" and route_name in ROUTE_SAMPLES:
        obj, model = ROUTE_SAMPLES[route_name](world)
        return obj.pk, model, obj
    if kwarg == "code":
        org = world.org("BT-JY-B01")
        return org.code, Org, org
    if kwarg == "pk" and app == "people":
        person = world.people["wang"]
        return person.pk, Person, person
    if kwarg == "pk" and app == "audit":
        event = AuditEvent.objects.filter(
            action="orgs.create", object_repr="第一党支部", org__code="BT-JY-B01"
        ).get()
        return event.pk, AuditEvent, event
    if kwarg == "pk" and app == "accounts":
        user = world.users["carol"]
        return user.pk, User, user
    if kwarg == "pk" and app == "activities":
        activity = _sample_activity(world)
        return activity.pk, Activity, activity
    if kwarg == "evidence_id":
        activity = _sample_activity(world)
        evidence = Evidence.objects.filter(activity=activity).first() or do_add_evidence(
            None, activity, "样本.pdf", b"%PDF sample"
        )
        return evidence.pk, Evidence, evidence
    if kwarg == "pk" and app == "recruitment":
        from tests.recruitment.factories import sample_file

        recruit = sample_file(world)
        return recruit.pk, type(recruit), recruit
    if kwarg == "step_id":
        from tests.recruitment.factories import sample_step

        step = sample_step(world)
        return step.pk, type(step), step
    if kwarg in ("class_id", "enrolment_id"):
        from tianping.learning.models import Enrolment, TrainingClass

        enrolment = _sample_enrolment(world)
        if kwarg == "class_id":
            return enrolment.training_class_id, TrainingClass, enrolment.training_class
        return enrolment.pk, Enrolment, enrolment
    if kwarg == "person_id":
        person = world.people["wang"]
        return person.pk, Person, person
    if kwarg in ("quiz_id", "attempt_id", "copy_id"):
        from tests.learning.quiz_factories import matrix_sample

        obj = matrix_sample(world, kwarg)
        return obj.pk, type(obj), obj
    if kwarg in ("registration_id", "service_id", "partner_id", "agreement_id", "deed_id"):
        from tests.service.community_samples import matrix_sample as community_sample

        obj = community_sample(world, kwarg)
        return obj.pk, type(obj), obj
    if kwarg in ("assignment_id", "matter_id", "brand_id", "post_id"):
        from tests.service import liaison_samples

        obj = getattr(liaison_samples, f"sample_{kwarg.removesuffix('_id')}")(world)
        return obj.pk, type(obj), obj
    if kwarg in ("honour_id", "pool_id", "member_id"):
        from tests.talent.honours_samples import matrix_sample as talent_sample

        obj = talent_sample(world, kwarg)
        return obj.pk, type(obj), obj
    if kwarg == "step":
        return "review", None, None
    if kwarg in ("competition_id", "track_id", "round_id", "entrant_id"):
        from tests.talent.competition_factories import matrix_sample as competition_sample

        obj = competition_sample(world, kwarg)
        return obj.pk, type(obj), obj
    if kwarg in ("typing_text_id", "typing_exam_id", "typing_attempt_id"):
        from tests.talent.typing_factories import matrix_sample as typing_sample

        obj = typing_sample(world, kwarg)
        return obj.pk, type(obj), obj
    if kwarg == "token":
        return "0" * 32, None, None
    if kwarg == "script":
        return "hant", None, None
    raise AssertionError(f"no sample for URL argument {kwarg!r} in app {app!r}: add one to _sample")


def _url(world, route: Route) -> tuple[str, type | None, Any]:
    app = route.name.split(":")[0]
    path, model, obj = route.pattern, None, None
    for kwarg in route.kwargs:
        value, model, obj = _sample(world, app, kwarg, route.name)
        for token in (f"<int:{kwarg}>", f"<str:{kwarg}>", f"<slug:{kwarg}>", f"<{kwarg}>"):
            path = path.replace(token, str(value))
    return "/" + path.lstrip("^").rstrip("$"), model, obj


def visible_text(response) -> str:
    """What a person gets from a response: the page text, or every cell of a workbook."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return " ".join(
            str(v)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v
        )
    return raw.decode(errors="replace")


def test_every_route_declares_what_it_requires():
    undeclared = [r.name for r in ROUTES if r.capability is None]
    assert not undeclared, f"views without @requires/@authenticated/@public: {undeclared}"


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_anonymous_visitors_are_sent_to_the_login_page(world, route):
    url, _, _ = _url(world, route)
    response = world.client(None).get(url)
    if route.capability == PUBLIC:
        assert response.status_code in (200, 302, 404, 405)
    else:
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_its_role_and_scope_allow(world, route, persona):
    url, model, obj = _url(world, route)
    user = world.users[persona]
    scope = scope_for(user)
    response = world.client(persona).get(url)
    status = response.status_code
    assert status != 500
    if route.capability == PUBLIC or route.capability == "authenticated":
        assert status in (200, 302, 404, 405), url
        return
    if not scope.can(route.capability):
        assert status == 403, f"{persona} lacks {route.capability} but got {status} at {url}"
        return
    if model is not None and not scoped(scope, model.objects.filter(pk=obj.pk)).exists():
        # Charlie-style outsiders: out of scope looks exactly like absent.
        assert status == 404, f"{persona} is out of scope of {obj} but got {status} at {url}"
        return
    assert status in (200, 302, 403, 404, 405), url
    if model is not None:
        # In scope and allowed: the page itself, not an error.
        assert status in (200, 302, 403, 405), f"{persona} should reach {url}, got {status}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if not r.kwargs], ids=[r.name for r in ROUTES if not r.kwargs]
)
def test_the_outsider_sees_nothing_of_ours_on_any_page(world, route):
    response = world.client("oscar").get("/" + route.pattern)
    body = visible_text(response) if response.status_code == 200 else ""
    for marker in OUR_MARKERS:
        assert marker not in body, f"{marker} leaked to the outsider on /{route.pattern}"
