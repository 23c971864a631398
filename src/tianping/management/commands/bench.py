"""`tianping bench [--json]`: medians and ratios to the SQL floor, on the data in the database."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from tianping import benchmarks
from tianping.loadtest import CONCURRENCY


class Command(BaseCommand):
    help = (
        "Time the questions users ask on the data in the database, beside a hand-written SQL floor."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="only JSON on stdout")
        parser.add_argument(
            "--rows", type=int, default=25_000, help="rows of the roster import case"
        )
        parser.add_argument("--no-import", action="store_true", help="skip the roster import case")
        parser.add_argument("--probe-import-memory", type=int, metavar="ROWS", help=ROWS_HELP)
        parser.add_argument(
            "--http",
            action="store_true",
            help="serve with `tianping serve` on loopback and load the people list, the dashboard "
            "and a 中院's compliance page",
        )
        parser.add_argument(
            "--requests", type=int, default=300, help="with --http: requests per page"
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=CONCURRENCY,
            help=f"with --http: concurrent connections (default {CONCURRENCY}, at most 64)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["probe_import_memory"]:
            self.stdout.write(
                json.dumps(benchmarks.probe_import_memory(options["probe_import_memory"]))
            )
            return
        if options["http"]:
            self._http(options)
            return
        report = benchmarks.run_all(options["rows"], include_import=not options["no_import"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        d = report["dataset"]
        self.stdout.write(
            f"数据库 {report['database']}：{d['courts']} 个法院，{d['people']} 人，"
            f"{d['activities']} 项活动，{d['attendance']} 条出勤，{d['point_entries']} 条积分"
        )
        self.stdout.write(
            f"{'case':36} {'median ms':>10} {'p95 ms':>9} {'floor ms':>9} {'ratio':>7}  note"
        )
        if report.get("vacuum"):
            self.stdout.write(f"清理：{'，'.join(report['vacuum'])}（测试前与导入用例之后）")
        for r in report["results"]:
            floor = f"{r['floor_ms']:.2f}" if r["floor_ms"] is not None else "—"
            ratio = f"{r['ratio']:.1f}" if r["ratio"] is not None else "—"
            self.stdout.write(
                f"{r['name']:36} {r['median_ms']:10.1f} {r['p95_ms']:9.1f} {floor:>9} {ratio:>7}  {r.get('note', '')}"
            )

    def _http(self, options: dict[str, Any]) -> None:
        from tianping import loadtest

        requests = min(max(options["requests"], 1), 10_000)
        concurrency = min(max(options["concurrency"], 1), 64)
        report = loadtest.run_http(requests=requests, concurrency=concurrency)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        server = report["server"]
        self.stdout.write(
            f"tianping serve：{server['workers']} 个进程 × {server['threads']} 线程，"
            f"{server['concurrency']} 个并发连接，法院 {report['court']}"
        )
        self.stdout.write(
            f"{'page':28} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        )
        for r in report["http"]:
            self.stdout.write(
                f"{r['name']:28} {r['requests']:9d} {r['errors']:7d} {r['rps']:8.1f} "
                f"{r['p50_ms']:8.1f} {r['p95_ms']:8.1f}"
            )


ROWS_HELP = "internal: import ROWS rows once in this process and print its peak RSS"
