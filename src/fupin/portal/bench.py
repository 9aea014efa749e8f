"""``fupin bench portal``: the public pages under load, served like production (gunicorn, loopback).

Starts gunicorn on 127.0.0.1 (``FUPIN_BENCH_PORT``, default 8102) over the current database (run ``make db``
first), drops the portal cache, measures each page's first (uncached) request and the median and 95th percentile
of cached requests, then drives every page with an asyncio load generator (keep-alive connections, raw HTTP/1.1,
no third-party client) for a fixed time and reports requests per second and latency. The load average is printed
with the figures: other work on the machine changes them.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

PAGES = ("/", "/progress/", "/progress/53/", "/needs/", "/welfare-projects/", "/pairings/", "/articles/")
CONNECTIONS = 32
SECONDS = 15.0


def _load() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:  # pragma: no cover
        return "?"


def _get(base: str, path: str) -> tuple[float, str]:
    t = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as r:
        r.read()
        cache = r.headers.get("X-Portal-Cache", "")
    return (time.perf_counter() - t) * 1000, cache


async def _client(host: str, port: int, paths: list[str], until: float, lat: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while time.perf_counter() < until:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: zh-hans\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            status = int(head.split(b" ", 2)[1])
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            lat.append((time.perf_counter() - t) * 1000)
            if status != 200:
                errors.append(status)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _drive(host: str, port: int, paths: list[str], seconds: float, connections: int) -> tuple[list[float], list[int], float]:
    lat: list[float] = []
    errors: list[int] = []
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(_client(host, port, paths[k % len(paths):] + paths[:k % len(paths)], until, lat, errors)
                           for k in range(connections)))
    return lat, errors, time.perf_counter() - start


def bench_portal(command: Any, opts: dict[str, Any]) -> list[tuple[str, float, str]]:
    from django.conf import settings
    from django.core.cache import cache

    from fupin.portal.cache import bump

    port = int(os.environ.get("FUPIN_BENCH_PORT", "8102"))
    host = "127.0.0.1"
    base = f"http://{host}:{port}"
    workers = os.environ.get("WEB_WORKERS", "2")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fupin.settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fupin.wsgi:application", "--bind", f"{host}:{port}", "--workers", workers,
         "--threads", "4", "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning"],
        env=env, cwd=str(settings.BASE_DIR))
    rows: list[tuple[str, float, str]] = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/static/portal/portal.css", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        bump()
        cache.clear()
        for path in PAGES:
            first, state = _get(base, path)
            for _ in range(int(workers) * 3):  # every worker process has its own copy (local memory cache)
                _get(base, path)
            cached = sorted(_get(base, path)[0] for _ in range(40))
            rows.append((f"GET {path}: first (uncached, {state}) / cached median / p95 ms", 0.0,
                         f"{first:.1f} / {statistics.median(cached):.1f} / {cached[int(len(cached) * 0.95) - 1]:.1f} "
                         f"(load {_load()})"))
        lat, errors, took = asyncio.run(_drive(host, port, list(PAGES), SECONDS, CONNECTIONS))
        lat.sort()
        rows.append((f"load: {CONNECTIONS} keep-alive connections, {len(PAGES)} pages, {workers} gunicorn workers × 4 "
                     f"threads", took, f"{len(lat) / took:.0f} req/s, median {statistics.median(lat):.1f} ms, p95 "
                     f"{lat[int(len(lat) * 0.95) - 1]:.1f} ms, {len(errors)} errors (load {_load()})"))
    finally:
        server.terminate()
        server.wait(timeout=20)
    return rows


BENCHMARKS = {"portal": bench_portal}
