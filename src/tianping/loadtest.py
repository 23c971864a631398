"""`tianping bench --http`: pages served by `tianping serve` under a bounded loopback load.

The in-process bench times one request at a time; this starts the real server (gunicorn,
whitenoise, every middleware) on a free loopback port, sends a fixed number of requests
from a number of concurrent connections (16 by default), and reports throughput, latency
percentiles and errors for the people list of the busiest basic court, the dashboard and
the compliance page of its 中院, as that 中院's 政治部 officer sees them. Traffic goes
only to 127.0.0.1 and stops by itself (a request count and a wall-time cap). The officer's
account, made for the run, is deleted afterwards.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import ProtectedError

from tianping.benchmarks import _busiest_court, _last_full_year, _mid_court, _officer_client
from tianping.orgs.models import Org

HOST = "127.0.0.1"
CONCURRENCY = 16


@dataclass
class LoadResult:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def as_dict(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms) or [0.0]
        return {
            "name": self.name,
            "path": self.path,
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else None,
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, server: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"tianping serve 未能启动（退出码 {server.returncode}）")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"tianping serve 在 {limit:.0f} 秒内没有应答")


def _hammer(
    port: int, path: str, cookie: str, total: int, concurrency: int, cap_seconds: float
) -> LoadResult:
    """`total` GETs of `path` over `concurrency` keep-alive connections, stopping at the cap."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    lock = threading.Lock()
    deadline = time.monotonic() + cap_seconds

    def worker() -> None:
        nonlocal errors, sent
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while True:
            with lock:
                if sent >= total or time.monotonic() > deadline:
                    break
                sent += 1
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return LoadResult(path, path, len(latencies), errors, seconds, latencies)


def pages(court: Org) -> list[tuple[str, str]]:
    """The pages loaded: name and path."""
    mid = _mid_court(court)
    return [
        ("people_list_court", f"/people/?org={court.code}"),
        ("dashboard_workforce", "/"),
        (
            "compliance_page_mid_court",
            f"/activities/compliance/?org={mid.code}&year={_last_full_year()}",
        ),
    ]


def run_http(
    requests: int = 300,
    concurrency: int = CONCURRENCY,
    workers: int = 2,
    cap_seconds: float = 120.0,
) -> dict[str, Any]:
    court = _busiest_court()
    client = _officer_client(court)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    port = _free_port()
    results = []
    try:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tianping.cli",
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(port, server)
            for name, path in pages(court):
                # A few requests first so every worker has its code and templates loaded.
                _hammer(port, path, cookie, workers * 4, workers, cap_seconds)
                result = _hammer(port, path, cookie, requests, concurrency, cap_seconds)
                result.name = name
                results.append(result.as_dict())
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    finally:
        # The officer made for the run goes, with its session: the load leaves nothing.
        _forget_officer(session)
    return {
        "server": {"workers": workers, "threads": 4, "concurrency": concurrency},
        "court": court.code,
        "http": results,
    }


def _forget_officer(session_key: str) -> None:
    from django.contrib.sessions.models import Session

    from tianping.accounts.models import RoleGrant, User

    session = Session.objects.filter(session_key=session_key).first()
    if session is None:
        return
    user_id = str(session.get_decoded().get("_auth_user_id", ""))
    session.delete()
    if not user_id.isdigit():
        return
    users = User.objects.filter(pk=user_id, username__startswith="bench-")
    RoleGrant.objects.filter(user__in=users).delete()
    try:
        users.delete()
    except ProtectedError:  # a history names the account: it stays, switched off
        users.update(is_active=False)
