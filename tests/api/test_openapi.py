"""The OpenAPI schema: served, and every operation marked with the capability it needs.

The generic tests here walk the schema, so a new operation is covered by them the day it
is added: anonymous callers get 401, callers without the capability get 403, and the
outsider gets 404 on our objects.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from tianping.accounts.actions import do_create_user
from tianping.accounts.scoping import CAPABILITIES, scope_for
from tianping.activities.actions import do_plan_activity
from tianping.activities.models import Activity

from .conftest import ApiClient

KNOWN = set().union(*CAPABILITIES.values()) | {"authenticated"}


@pytest.fixture
def schema(db: Any) -> dict[str, Any]:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def sample(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A value that passes validation: enough to reach the view, which decides the answer."""
    if "$ref" in spec:
        return sample(schema, schema["components"]["schemas"][spec["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in spec:
        return sample(schema, spec["anyOf"][0])
    if "enum" in spec:
        return spec["enum"][0]
    kind = spec.get("type")
    if kind == "object":
        return {name: sample(schema, spec["properties"][name]) for name in spec.get("required", [])}
    if kind == "string":
        return "2024-01-01" if spec.get("format") == "date" else "EH-ZZB"
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    return None


def our_activity(world: Any) -> int:
    """A planned committee meeting of BT-JY-B01: an object of ours for /activities/{activity_id}."""
    found = Activity.objects.filter(org__code="BT-JY-B01").values_list("pk", flat=True).first()
    if found is not None:
        return found
    branch = world.org("BT-JY-B01")
    return do_plan_activity(
        None, branch, kind="branch_committee", title="样例支委会", on=dt.date(2024, 3, 28)
    ).pk


def our_class(world: Any) -> int:
    """A training class of BT-JY: an object of ours for /learning/classes/{class_id}."""
    from tianping.learning.actions.training import do_create_class
    from tianping.learning.models import TrainingClass

    found = TrainingClass.objects.filter(court__code="BT-JY").values_list("pk", flat=True).first()
    if found is not None:
        return found
    return do_create_class(
        None,
        world.org("BT-JY"),
        name="样例培训班",
        kind="business",
        starts_on=dt.date(2024, 3, 4),
        ends_on=dt.date(2024, 3, 5),
    ).pk


def call(
    client: ApiClient,
    schema: dict[str, Any],
    method: str,
    path: str,
    op: dict[str, Any],
    world: Any,
) -> Any:
    ours = {"code": "BT-JY-B01", "person_id": world.people["zhao"].pk}
    if "{activity_id}" in path:
        ours["activity_id"] = our_activity(world)
    if "{recruit_id}" in path:
        from tests.recruitment.factories import sample_file

        ours["recruit_id"] = sample_file(world).pk
    if "{class_id}" in path:
        ours["class_id"] = our_class(world)
    if "{enrolment_id}" in path:
        from tianping.learning.models import Enrolment

        ours["enrolment_id"] = Enrolment.objects.get_or_create(
            training_class_id=our_class(world), person=world.people["zhao"]
        )[0].pk
    if "{plan_id}" in path:
        from tests.learning.study_samples import sample_plan

        ours["plan_id"] = sample_plan(world).pk
    if "{reflection_id}" in path:
        from tests.learning.study_samples import sample_reflection

        ours["reflection_id"] = sample_reflection(world).pk
    if "/service/volunteer/" in path and "{" in path:
        from tests.service.volunteer_samples import matrix_sample

        ours["team_id"] = matrix_sample(world, "team").pk
        ours["activity_id"] = matrix_sample(world, "service").pk
    for kwarg in ("quiz_id", "attempt_id"):
        if f"{{{kwarg}}}" in path:
            from tests.learning.quiz_factories import matrix_sample

            ours[kwarg] = matrix_sample(world, kwarg).pk
    for kwarg in ("agreement_id", "deed_id"):
        if f"{{{kwarg}}}" in path:
            from tests.service.community_samples import matrix_sample as community_sample

            ours[kwarg] = community_sample(world, kwarg).pk
    for kwarg in ("assignment_id", "matter_id", "brand_id", "post_id"):
        if f"{{{kwarg}}}" in path:
            from tests.service import liaison_samples

            ours[kwarg] = getattr(liaison_samples, f"sample_{kwarg.removesuffix('_id')}")(world).pk
    for kwarg in ("honour_id", "pool_id", "member_id"):
        if f"{{{kwarg}}}" in path:
            from tests.talent.honours_samples import matrix_sample as talent_sample

            ours[kwarg] = talent_sample(world, kwarg).pk
    for kwarg in ("competition_id", "round_id"):
        if f"{{{kwarg}}}" in path:
            from tests.talent.competition_factories import matrix_sample as competition_sample

            ours[kwarg] = competition_sample(world, kwarg).pk
    if "{typing_exam_id}" in path:
        from tests.talent.typing_factories import matrix_sample as typing_sample

        ours["typing_exam_id"] = typing_sample(world, "typing_exam_id").pk
    url = re.sub(r"\{(\w+)\}", lambda m: str(ours[m.group(1)]), path).removeprefix("/api/v1")
    if method == "get":
        return client.get(url)
    body_spec = (
        op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    )
    return getattr(client, method)(url, sample(schema, body_spec) if body_spec else {})


def test_the_schema_is_served_to_anyone(schema):
    assert schema["info"]["title"] == "天平 Tianping API"
    assert "/api/v1/people" in schema["paths"]


def test_the_docs_page_is_served(db):
    assert Client().get("/api/v1/docs").status_code == 200


def test_every_operation_names_a_known_capability(schema):
    found = operations(schema)
    assert len(found) >= 12
    for method, path, op in found:
        assert op.get("x-capability") in KNOWN, f"{method.upper()} {path} has no known x-capability"


def test_every_operation_takes_a_token_or_the_session(schema):
    for method, path, op in operations(schema):
        schemes = {name for requirement in op.get("security", []) for name in requirement}
        assert schemes == {"TokenAuth", "SessionAuth"}, f"{method.upper()} {path}"


def test_every_operation_refuses_anonymous_callers(world, schema):
    anonymous = ApiClient(Client())
    for method, path, op in operations(schema):
        r = call(anonymous, schema, method, path, op, world)
        assert r.status_code == 401, f"{method.upper()} {path}"


def test_every_operation_refuses_callers_without_its_capability(world, schema, session):
    nobody = do_create_user(None, "nobody", password=None)
    callers = {name: world.users[name] for name in ("alice", "bob", "carol", "dave", "erin")}
    callers["nobody"] = nobody
    for name, user in callers.items():
        scope = scope_for(user)
        client = ApiClient(Client())
        client.client.force_login(user)
        for method, path, op in operations(schema):
            needed = op["x-capability"]
            if needed == "authenticated" or (scope is not None and scope.can(needed)):
                continue
            r = call(client, schema, method, path, op, world)
            assert r.status_code == 403, f"{name}: {method.upper()} {path} gave {r.status_code}"
            assert r.json() == {"detail": "无权执行此操作"}


def test_the_outsider_gets_404_on_every_object_route(world, schema, session):
    oscar = session("oscar")
    caps = scope_for(world.users["oscar"]).caps
    for method, path, op in operations(schema):
        if "{" not in path:
            continue
        r = call(oscar, schema, method, path, op, world)
        # Without the capability it is 403 whatever the object; with it, ours looks absent.
        expected = 404 if op.get("x-capability") in caps | {"authenticated"} else 403
        assert r.status_code == expected, (
            f"{method.upper()} {path} gave {r.status_code}: {r.content!r}"
        )


def test_no_two_api_schemas_share_a_component_name(db):
    """django-ninja names a component after its class: two classes of one name would
    describe one of them with the other's fields, and a client would be told a lie."""
    from ninja import Schema

    import tianping.urls  # noqa: F401  (every router imported)

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    seen: dict[str, str] = {}
    clashes = []
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("tianping."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert not clashes, "\n".join(map(str, clashes))
