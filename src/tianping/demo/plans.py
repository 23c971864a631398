"""Which courts a synthetic data set holds: the demo city, a generated city, a province."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, replace

from pypinyin import Style, lazy_pinyin

from tianping.demo.names import Weighted, place_names
from tianping.orgs.models import OrgKind

# The data describes the courts as they stood at the end of 2025; histories (placements,
# and the records later builder steps add) lie before it. A fixed day, not today: the
# same seed must give the same rows whenever it runs.
AS_OF = dt.date(2025, 12, 31)
DEMO_SEED = 2025


def demo_as_of() -> dt.date:
    """The demo is shown to people today: its records run up to the end of last month, so
    the dashboard's "this month" and "overdue" mean something. The same month gives the
    same rows; the generated benchmark data keeps the fixed AS_OF."""
    from django.utils import timezone

    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class CourtPlan:
    code: str
    name: str
    kind: str
    parent: str | None
    staff: int  # people serving on AS_OF; a few retired or transferred come on top
    number_prefix: str  # 工号 prefix: BT0001
    tribunals: tuple[str, ...] = ()  # 人民法庭 of a basic court
    administrative: bool = True  # a basic court may have no 行政审判庭 (集中管辖 elsewhere)


@dataclass(frozen=True)
class Plan:
    profile: str
    seed: int
    as_of: dt.date
    courts: tuple[CourtPlan, ...]

    @property
    def root(self) -> CourtPlan:
        return self.courts[0]

    def scaled(self, scale: float) -> Plan:
        """The same courts with fewer (or more) people: small data sets for tests."""
        if scale == 1:
            return self
        return replace(
            self,
            courts=tuple(replace(c, staff=max(12, round(c.staff * scale))) for c in self.courts),
        )


def demo_plan() -> Plan:
    """白塔市: a fictional city with its intermediate court and five basic courts."""
    mid = "BT"
    courts = (
        CourtPlan(mid, "白塔市中级人民法院", OrgKind.MID_COURT, None, 330, "BT"),
        CourtPlan(
            f"{mid}-JY", "白塔市金源区人民法院", OrgKind.BASIC_COURT, mid, 170, "JY", ("新城",)
        ),
        CourtPlan(
            f"{mid}-QH",
            "白塔市青河区人民法院",
            OrgKind.BASIC_COURT,
            mid,
            158,
            "QH",
            ("河西",),
            False,
        ),
        CourtPlan(
            f"{mid}-YQ",
            "云泉县人民法院",
            OrgKind.BASIC_COURT,
            mid,
            128,
            "YQ",
            ("石门", "柳湾"),
            False,
        ),
        CourtPlan(
            f"{mid}-ML",
            "牧林旗人民法院",
            OrgKind.BASIC_COURT,
            mid,
            92,
            "ML",
            ("沙岭", "草原", "敖包"),
            False,
        ),
        CourtPlan(
            f"{mid}-SL", "双林县人民法院", OrgKind.BASIC_COURT, mid, 72, "SL", ("东坪",), False
        ),
    )
    return Plan("demo", DEMO_SEED, demo_as_of(), courts)


BASIC_SUFFIX: Weighted[str] = Weighted.of([("区", 0.4), ("县", 0.3), ("旗", 0.2), ("市", 0.1)])


def _initials(name: str, length: int = 2) -> str:
    return "".join(lazy_pinyin(name[:length], style=Style.FIRST_LETTER)).upper()


def _unique_code(base: str, taken: set[str]) -> str:
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    taken.add(code)
    return code


def _basic_courts(
    rng: random.Random, mid: CourtPlan, count: int, taken_places: set[str], median_staff: float
) -> list[CourtPlan]:
    courts: list[CourtPlan] = []
    codes: set[str] = set()
    for place in place_names(rng, count, taken_places):
        suffix = BASIC_SUFFIX.pick(rng)
        code = _unique_code(_initials(place), codes)
        staff = round(min(420, max(60, rng.lognormvariate(math.log(median_staff), 0.35))))
        rural = suffix in ("县", "旗")
        tribunals = tuple(
            place_names(rng, rng.randint(2, 4) if rural else rng.randint(0, 2), taken_places)
        )
        courts.append(
            CourtPlan(
                code=f"{mid.code}-{code}",
                name=f"{place}{suffix}人民法院",
                kind=OrgKind.BASIC_COURT,
                parent=mid.code,
                staff=staff,
                number_prefix=f"{mid.code}{code}",
                tribunals=tribunals,
                administrative=suffix == "区" and rng.random() < 0.6,
            )
        )
    return courts


def city_plan(seed: int) -> Plan:
    """One intermediate court with 8–12 basic courts: two to three thousand people."""
    rng = random.Random(f"{seed}:plan:city")
    taken: set[str] = set()
    (city,) = place_names(rng, 1, taken)
    code = _initials(city)
    mid = CourtPlan(
        code, f"{city}市中级人民法院", OrgKind.MID_COURT, None, rng.randint(280, 380), code
    )
    basics = _basic_courts(rng, mid, rng.randint(8, 12), taken, 230)
    return Plan("city", seed, AS_OF, (mid, *basics))


PROVINCE_MID_COURTS = 12
PROVINCE_BASIC_COURTS = 130


def _spread(rng: random.Random, total: int, parts: int, floor: int) -> list[int]:
    """`total` split into `parts` uneven shares of at least `floor` (largest remainder)."""
    weights = [rng.uniform(0.5, 1.6) for _ in range(parts)]
    spare = total - floor * parts
    raw = [spare * w / sum(weights) for w in weights]
    shares = [floor + math.floor(r) for r in raw]
    by_remainder = sorted(range(parts), key=lambda i: (-(raw[i] - math.floor(raw[i])), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def province_plan(seed: int) -> Plan:
    """塞北省: one high court, 12 intermediate courts, 130 basic courts, about 25,000 people."""
    rng = random.Random(f"{seed}:plan:province")
    high = CourtPlan(
        "SB", "塞北省高级人民法院", OrgKind.HIGH_COURT, None, rng.randint(420, 480), "SB"
    )
    courts: list[CourtPlan] = [high]
    taken_places: set[str] = {"塞北"}
    mid_codes: set[str] = {high.code}
    counts = _spread(rng, PROVINCE_BASIC_COURTS, PROVINCE_MID_COURTS, 5)
    for city, basic_count in zip(
        place_names(rng, PROVINCE_MID_COURTS, taken_places), counts, strict=True
    ):
        code = _unique_code(_initials(city), mid_codes)
        mid = CourtPlan(
            code, f"{city}市中级人民法院", OrgKind.MID_COURT, high.code, rng.randint(250, 360), code
        )
        courts.append(mid)
        courts.extend(_basic_courts(rng, mid, basic_count, taken_places, 140))
    return Plan("province", seed, AS_OF, tuple(courts))


PROFILES = {"city": city_plan, "province": province_plan}
# How the audit log names each data set.
PROFILE_NAMES = {"demo": "演示城市", "city": "市级测试数据", "province": "省级测试数据"}
