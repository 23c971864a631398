"""A big roster through the web flow end to end: upload, a worker checks, preview, confirm,
a worker writes.

    TIANPING_DATABASE_URL=sqlite:////tmp/bench.db python scripts/bench_import_task.py 25000

Builds a court on an empty database, uploads `tianping.benchmarks.roster_sheet` of that many
rows through the pages (the test client: middleware, scoping, templates), runs `tianping
worker --batch` as its own process for the check and again for the write, and prints the
time and peak memory (RSS) of each step as JSON. The web process's peak is its high-water
mark over the whole run (the preview page loads the kept plan).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def watch(process: subprocess.Popen[bytes]) -> tuple[float, float]:
    """The worker's peak RSS (VmHWM of its own image: a fork's count would include ours)
    and its CPU seconds: on a shared machine, CPU time says more than wall time."""
    peak = 0.0
    status = f"/proc/{process.pid}/status"
    while True:
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            assert code == 0, code
            return round(peak, 1), round(usage.ru_utime + usage.ru_stime, 2)
        time.sleep(0.05)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_worker() -> subprocess.Popen[bytes]:
    command = ["worker", "--batch", "--no-startup-delay", "-v", "0"]
    return subprocess.Popen([sys.executable, "-m", "tianping.cli", *command])


def main(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianping.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from tianping.accounts import actions as account_actions
    from tianping.accounts.models import Role
    from tianping.benchmarks import roster_sheet
    from tianping.orgs.actions import do_create_org
    from tianping.orgs.models import OrgKind
    from tianping.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    mid = do_create_org(
        None, code="BM", name="测试市中级人民法院", kind=OrgKind.MID_COURT, parent=None
    )
    court = do_create_org(
        None, code="BX", name="测试区人民法院", kind=OrgKind.BASIC_COURT, parent=mid
    )
    for i in range(8):
        court.refresh_from_db()
        do_create_org(
            None, code=f"BX-D{i}", name=f"第{i + 1}庭", kind=OrgKind.DEPARTMENT, parent=court
        )
    court.refresh_from_db()
    committee = do_create_org(
        None, code="BX-JGDW", name="机关党委", kind=OrgKind.PARTY_COMMITTEE, parent=court
    )
    for i in range(10):
        committee.refresh_from_db()
        do_create_org(
            None, code=f"BX-B{i}", name=f"第{i + 1}党支部", kind=OrgKind.BRANCH, parent=committee
        )
    court.refresh_from_db()
    user = account_actions.do_create_user(None, "bench", password="x", check_password=False)
    account_actions.do_grant(None, user, Role.POLITICAL_DEPT, mid)
    content = roster_sheet(court, rows)
    client = Client()
    client.force_login(user)
    figures: dict[str, object] = {"rows": rows, "workbook_mb": round(len(content) / 2**20, 1)}
    figures["database"] = django.db.connection.vendor

    started, used = time.perf_counter(), cpu()
    upload = SimpleUploadedFile("花名册.xlsx", content)
    checking = client.post("/people/import/", {"court": "BX", "file": upload})
    figures["upload_request_s"] = round(time.perf_counter() - started, 3)
    figures["upload_request_cpu_s"] = round(cpu() - used, 3)
    assert checking.status_code == 302, checking.status_code
    assert "正在后台检查" in client.get(checking["Location"]).content.decode()
    started = time.perf_counter()
    figures["worker_check_peak_mb"], figures["worker_check_cpu_s"] = watch(run_worker())
    figures["worker_check_s"] = round(time.perf_counter() - started, 2)

    started, used = time.perf_counter(), cpu()
    preview = client.get(checking["Location"])
    figures["preview_request_s"] = round(time.perf_counter() - started, 2)
    figures["preview_request_cpu_s"] = round(cpu() - used, 2)
    page = preview.content.decode()
    assert preview.status_code == 200 and "确认导入" in page, page[-2000:]
    token = re.search(r"/people/import/([\w-]+)/confirm/", page).group(1)  # type: ignore[union-attr]

    started = time.perf_counter()
    confirm = client.post(f"/people/import/{token}/confirm/")
    figures["confirm_request_s"] = round(time.perf_counter() - started, 3)
    assert confirm.status_code == 302, confirm.status_code
    assert "正在后台写入" in client.get(confirm["Location"]).content.decode()
    assert Person.objects.count() == 0

    started = time.perf_counter()
    figures["worker_write_peak_mb"], figures["worker_write_cpu_s"] = watch(run_worker())
    figures["worker_write_s"] = round(time.perf_counter() - started, 2)
    summary = client.get(confirm["Location"]).content.decode()
    created = re.search(r'id="count-created">(\d+)<', summary)
    assert created is not None and int(created.group(1)) == rows, summary[-2000:]
    assert Person.objects.count() == rows
    figures["web_peak_mb"] = peak_mb()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25000)
