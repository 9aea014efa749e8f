"""What the benchmarks share: timing a step into the printed table, the machine line, and finding them.

Each app keeps its benchmarks in its own ``bench.py`` and lists them in ``BENCHMARKS = {"name": fn}``; ``fupin
bench NAME`` finds them through the app registry, so core imports no app. A benchmark is
``fn(cmd, opts) -> list[Row]``: it measures; it does not assert.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from fupin.core.sql import vendor

Row = tuple[str, float, str]
Benchmark = Callable[[Any, dict[str, Any]], list[Row]]


def timed(label: str, fn: Callable[[], Any], rows: list[Row], extra: Callable[[Any], str]) -> Any:
    """Run ``fn``, add a row (label, seconds, ``extra(result)``) and return its result."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    rows.append((label, seconds, extra(result)))
    return result


def machine() -> str:
    """One line on what the figures were measured on."""
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()} {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {vendor()}"


def load() -> str:
    """The load average, printed beside a figure measured on a machine that may not be idle."""
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def benchmarks() -> dict[str, Benchmark]:
    """Every installed app's ``bench.BENCHMARKS``, by name."""
    found: dict[str, Benchmark] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.bench"
        if not config.name.startswith("fupin.") or importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for name, fn in getattr(module, "BENCHMARKS", {}).items():
            if name in found:
                raise ImproperlyConfigured(f"benchmark {name!r} is defined twice (second in {module_name})")
            found[name] = fn
    return found
