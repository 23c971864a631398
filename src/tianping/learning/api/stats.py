"""The learning part 'stats' in the JSON API: training statistics, as `tianping
training-stats --json` gives them (CONTRACT.md), for a court in scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tianping.accounts.api import requires, scope_of
from tianping.accounts.scoping import get_scoped
from tianping.learning.queries.stats import shortfalls, training_stats
from tianping.lib.inputs import OrgCode, Year
from tianping.orgs.models import Org

router = Router()


class KindOut(Schema):
    kind: str
    classes: int
    participations: int
    hours: str
    political_hours: str
    political_share: float


class CategoryOut(Schema):
    category: str
    hours: str


class ShortOut(Schema):
    employee_no: str
    name: str
    hours: str
    required: str
    political_hours: str
    required_political: str


class StatsOut(Schema):
    org: str
    year: int
    classes: int = Field(..., description="班次")
    participations: int = Field(..., description="人次：同一人参加同一培训班计1次")
    hours: str = Field(..., description="学时（小数字符串）")
    political_hours: str
    political_share: float
    by_kind: list[KindOut]
    by_category: list[CategoryOut]
    sentence: str
    short: list[ShortOut] = Field(..., description="未达本院该类人员年度学时要求的人员")


class StatsQuery(Schema):
    org: OrgCode = Field(..., min_length=1, description="法院代码：统计其本身及全部下级法院")
    year: Year | None = Field(None, description="年度，默认今年")


@router.get("/stats", response=StatsOut, summary="培训统计：班次、人次、学时与政治教育占比")
@requires("learning.stats")
def get_stats(request: HttpRequest, query: Query[StatsQuery]) -> dict[str, Any]:
    """The document of `tianping training-stats --json` for a court in scope."""
    scope = scope_of(request)
    org = get_scoped(scope, Org.objects.courts(), code=query.org.strip())
    year = query.year or timezone.localdate().year
    return training_stats(org, year).as_json(shortfalls(org, year))
