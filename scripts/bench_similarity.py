"""The 查重 of one 2,000-character reflection against 100,000 earlier ones of its court.

    TIANPING_DATABASE_URL=sqlite:////tmp/simbench.db python scripts/bench_similarity.py [N]

Fills a court of its own (code SIMBENCH) with N synthetic reflections (default 100,000; kept
between runs) through the same normalising, signature and band index the product writes,
bulk-inserted; then times the check a submission runs (`lib.similarity` normalising and
signature of the new text, the band query of `learning.queries.study.similar_texts` and the
passage comparison of its candidates), for new texts that copy earlier ones in part and for
texts that copy nothing, and prints JSON: median and p95 in milliseconds.

The synthetic texts are words drawn from a vocabulary plus stock phrases that many texts
share (as reflections on the same topic do), so the band query meets common keys as well.
Earlier texts are 400 characters: the check's cost does not depend on their length except
for the few candidates read in full.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianping.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from tianping.cli import ensure_migrated  # noqa: E402

CODE = "SIMBENCH"
EARLIER_CHARS = 400
CHECKED_CHARS = 2000
RUNS = 15
STOCK = (
    "习近平新时代中国特色社会主义思想",
    "努力让人民群众在每一个司法案件中感受到公平正义",
    "坚持以人民为中心的发展思想",
    "全面从严治党向纵深发展",
    "学思想强党性重实践建新功",
    "推动审判工作高质量发展",
)
CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
    "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提"
    "直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计"
    "别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海"
    "口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身"
    "车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
)


def words(rng: random.Random) -> list[str]:
    return ["".join(rng.choice(CHARS) for _ in range(rng.randint(2, 4))) for _ in range(6000)]


def synthetic(rng: random.Random, vocabulary: list[str], chars: int) -> str:
    parts = rng.sample(STOCK, 2) + rng.choices(vocabulary, k=chars // 2)
    rng.shuffle(parts)
    return "".join(parts)[:chars]


def court_and_person() -> tuple[int, int, int]:
    from tianping.orgs.actions import do_create_org
    from tianping.orgs.models import Org, OrgKind
    from tianping.people.actions import do_create_person
    from tianping.people.models import Category, Person, PoliticalStatus

    court = Org.objects.filter(code=CODE).first()
    if court is None:
        court = do_create_org(
            None, code=CODE, name="查重基准法院", kind=OrgKind.BASIC_COURT, parent=None
        )
        court.refresh_from_db()
        branch = do_create_org(
            None, code=f"{CODE}-B01", name="第一党支部", kind=OrgKind.BRANCH, parent=court
        )
        court.refresh_from_db()
        do_create_person(
            None,
            court,
            employee_no="SB0001",
            name="基准",
            gender="male",
            birth_date=dt.date(1985, 3, 2),
            category=Category.JUDGE,
            political_status=PoliticalStatus.MEMBER,
            party_org=branch,
            since=dt.date(2020, 1, 1),
        )
    branch = Org.objects.get(code=f"{CODE}-B01")
    person = Person.objects.get(employee_no="SB0001", court=court)
    return court.pk, branch.pk, person.pk


def insert_bands(table: str, bands: list[tuple[int, int, int]]) -> None:
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} (court_id, key, reflection_id) FROM STDIN") as copy:
                for row in bands:
                    copy.write_row(row)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (court_id, key, reflection_id) VALUES (%s, %s, %s)", bands
        )


def fill(n: int, court_id: int, branch_id: int, person_id: int, rng: random.Random) -> list[str]:
    """N earlier reflections with their signatures and bands; returns a few of their texts."""
    from django.utils import timezone

    from tianping.learning.models import Reflection, SimilarityBand
    from tianping.lib import similarity

    vocabulary = words(rng)
    have = Reflection.objects.filter(court_id=court_id).count()
    samples = list(
        Reflection.objects.filter(court_id=court_id)
        .order_by("pk")
        .values_list("body", flat=True)[:50]
    )
    started = time.perf_counter()
    batch = 2000
    now = timezone.now()
    while have < n:
        size = min(batch, n - have)
        texts = [synthetic(rng, vocabulary, EARLIER_CHARS) for _ in range(size)]
        rows = []
        for text in texts:
            # Synthetic text is already normalised (Simplified, no punctuation).
            rows.append(
                Reflection(
                    person_id=person_id,
                    court_id=court_id,
                    org_id=branch_id,
                    title="合成心得",
                    body=text,
                    normalised=text,
                    signature=similarity.signature(text),
                    status="read",
                    top_rate=0.0,
                    checked_at=now,
                )
            )
        with transaction.atomic():
            made = Reflection.objects.bulk_create(rows, batch_size=500)
            bands = [
                (court_id, key, r.pk)
                for r in made
                for key in similarity.band_keys(bytes(r.signature))
            ]
            insert_bands(SimilarityBand._meta.db_table, bands)
        samples += texts[: max(0, 50 - len(samples))]
        have += size
        if have % 10000 == 0:
            print(f"{have} reflections, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return samples


def check_once(court_id: int, text: str) -> int:
    from tianping.learning.queries.study import similar_texts
    from tianping.lib import similarity

    norm = similarity.normalised_text(text)
    sig = similarity.signature(norm)
    return len(similar_texts(court_id, norm, sig, limit=5))


def timed(court_id: int, texts: list[str]) -> tuple[list[float], list[int]]:
    times, found = [], []
    check_once(court_id, texts[0])  # warm-up: converters, connection
    for text in texts:
        t = time.perf_counter()
        found.append(check_once(court_id, text))
        times.append((time.perf_counter() - t) * 1000)
    return times, found


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    ensure_migrated()
    rng = random.Random(2024)
    court_id, branch_id, person_id = court_and_person()
    started = time.perf_counter()
    samples = fill(n, court_id, branch_id, person_id, rng)
    fill_s = time.perf_counter() - started
    vocabulary = words(random.Random(7))
    text_rng = random.Random(11)
    copying = [
        # Three earlier texts copied in part, the rest new, re-punctuated.
        "，".join(text_rng.sample(samples, 3))
        + "。"
        + synthetic(text_rng, vocabulary, CHECKED_CHARS - 3 * EARLIER_CHARS)
        for _ in range(RUNS)
    ]
    fresh = [synthetic(text_rng, vocabulary, CHECKED_CHARS) for _ in range(RUNS)]
    copy_ms, copy_found = timed(court_id, copying)
    fresh_ms, fresh_found = timed(court_id, fresh)
    from tianping.learning.models import SimilarityBand

    print(
        json.dumps(
            {
                "database": connection.vendor,
                "earlier_reflections": n,
                "bands": SimilarityBand.objects.filter(court_id=court_id).count(),
                "fill_seconds": round(fill_s, 1),
                "checked_chars": CHECKED_CHARS,
                "copying": {
                    "median_ms": round(statistics.median(copy_ms), 1),
                    "p95_ms": round(p95(copy_ms), 1),
                    "found_per_check": statistics.median(copy_found),
                },
                "fresh": {
                    "median_ms": round(statistics.median(fresh_ms), 1),
                    "p95_ms": round(p95(fresh_ms), 1),
                    "found_per_check": statistics.median(fresh_found),
                },
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
