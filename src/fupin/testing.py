"""Factories for tests: a small division tree shaped like the real one, one user per role, households
with members whose ID numbers are valid. Kept in the package so that every app's tests share them."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group

from fupin.core.models import User
from fupin.core.roles import Role
from fupin.core.tree import parent_code
from fupin.regions.models import Level, Region
from fupin.registry import idnumber
from fupin.registry.models import Household, Income, Member
from fupin.registry.services import refresh_latest_income

PASSWORD = "test-password-2026"

# code, name, level — 云南 with two counties of 怒江, and 贵州 with one village.
TREE = [
    ("53", "云南省", 1), ("5333", "怒江傈僳族自治州", 2),
    ("533301", "泸水市", 3), ("533301101", "六库街道", 4), ("533301101001", "新城社区居委会", 5),
    ("533301101201", "赖茂村委会", 5), ("533301205", "古登乡", 4), ("533301205201", "季加村委会", 5),
    ("533323", "福贡县", 3), ("533323101", "上帕镇", 4), ("533323101201", "腊竹底村委会", 5),
    ("52", "贵州省", 1), ("5201", "贵阳市", 2), ("520102", "南明区", 3), ("520102001", "新华路街道", 4),
    ("520102001001", "富水南路社区", 5),
]


@dataclass
class Tree:
    nodes: dict[str, Region]

    def __getitem__(self, code: str) -> Region:
        return self.nodes[code]


def ensure_code_lists() -> None:
    """Load the code lists again when an earlier transactional test (a browser test's live server) flushed what
    the migration loaded: a later browser test validates codes against them."""
    from fupin.core import codes
    from fupin.core.models import CodeItem

    if not CodeItem.objects.exists():
        CodeItem.objects.bulk_create(
            CodeItem(list_code=lc, code=i["code"], name=i["name"], name_en=i["name_en"], sort=n)
            for lc, items in codes.load_file().items() for n, i in enumerate(items)
        )
    codes.clear_cache()


def make_tree() -> Tree:
    nodes: dict[str, Region] = {}
    for code, name, level in TREE:
        parent = nodes.get(parent_code(code))
        nodes[code] = Region.objects.create(code=code, name=name, level=level, parent=parent)
    for r in nodes.values():
        r.child_count = sum(1 for c in nodes.values() if c.parent_id == r.code)
        r.village_count = sum(1 for c in nodes.values() if c.level == Level.VILLAGE and c.code.startswith(r.code))
        r.save()
    return Tree(nodes)


def make_user(username: str, region: Region | None, *roles: Role, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, region=region, **extra)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return User.objects.get(pk=user.pk)


def make_users(tree: Tree) -> dict[str, User]:
    return {
        "clerk": make_user("clerk", tree["533301205201"], Role.CLERK),
        "township": make_user("township", tree["533301205"], Role.TOWNSHIP_REVIEWER),
        "county": make_user("county", tree["533301"], Role.COUNTY_ADMIN),
        "analyst": make_user("analyst", tree["53"], Role.ANALYST),
        # a department account serving all registered persons (医保) and the elderly (民政): see exchange.selectors
        "exchange": make_user("exchange", tree["52"], Role.EXCHANGE, organisation="贵州省医疗保障局、民政厅"),
        "sysadmin": make_user("sysadmin", None, Role.SYSADMIN, is_staff=True),
    }


_seq = itertools.count(1)


# Living conditions as collected (the model's NULL is "not collected", issue 14 item 6): test households are
# households whose collection is complete unless a test says otherwise.
COLLECTED = {"has_production_power": True, "has_living_power": True, "has_radio_tv": True, "water_safe": True,
             "water_difficult": False}


def make_household(village: Region, size: int = 3, status: str = "poor", **fields: Any) -> Household:
    n = next(_seq)
    h = Household.objects.create(
        number=f"{village.code}{n:05d}", village=village, status=status, standard="01", attribute="01",
        main_cause="01", identified_year=2014, housing_safety="A", **{**COLLECTED, **fields},
    )
    for i in range(size):
        sex = "1" if i % 2 == 0 else "2"
        birth = dt.date(1960 + i * 7, 1 + n % 12, 1 + i)
        Member.objects.create(
            household=h, name=f"张{'三四五六七八'[i % 6]}{n}", id_number=idnumber.make(idnumber.issuing_code(village.code[:6], birth.year), birth, n % 400, sex),
            sex=sex, birth_date=birth, relation="01" if i == 0 else "03", ethnicity="01", health="01",
            has_medical_insurance=True,
        )
    Income.objects.create(household=h, year=2020, household_size=size, wage_other=3000 * size, business=1000)
    refresh_latest_income(Household.objects.filter(pk=h.pk))
    return h


def make_households(tree: Tree) -> dict[str, Household]:
    """One household in each village of the tree, keyed by village code."""
    return {r.code: make_household(r) for r in tree.nodes.values() if r.level == Level.VILLAGE}


def pdf_objects(pdf: bytes) -> bytes:
    """A PDF with its compressed streams inflated (weasyprint packs objects and text into Flate streams), to look
    for fonts, printed text and drawing operators."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def log_in(page: Any, base: str, username: str) -> None:
    """Sign in through the login page in a browser test (Playwright page)."""
    page.goto(base + "/workbench/")
    assert "登录" in page.content()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/workbench/")


# --- the background worker in a child process (fault tests: a worker killed in the middle of a job) ----------------


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a child process."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


# The worker, each of its queries slowed by 20 ms so that a kill lands in the middle of a job of test size.
SLOW_WORKER = """
import sys, time
from django.db.backends import utils
for name in ("execute", "executemany"):
    def slow(self, *a, _real=getattr(utils.CursorWrapper, name), **k):
        time.sleep(0.02)
        return _real(self, *a, **k)
    setattr(utils.CursorWrapper, name, slow)
from fupin.cli import main
sys.argv = ["fupin", "db_worker", "--queue-name", "default", "--no-reload", "--interval", "0.2", "--no-startup-delay"]
main()
"""


def worker_env(var: Any, **extra: str) -> dict[str, str]:
    import os

    return {**os.environ, "DATABASE_URL": database_url(), "FUPIN_VAR_DIR": str(var), **extra}


def start_slow_worker(var: Any, **extra: str) -> Any:
    """``fupin db_worker`` in a child process with every query slowed (``SLOW_WORKER``); ``extra``: environment."""
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", SLOW_WORKER], env=worker_env(var, **extra),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run_worker_until_idle(var: Any, **extra: str) -> None:
    """Run the queued tasks to the end in a child worker (``--batch``); fails with the worker's error output."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "fupin", "db_worker", "--queue-name", "default", "--batch",
                           "--no-reload", "--no-startup-delay"], env=worker_env(var, **extra), capture_output=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def kill_when(worker: Any, ready: Any, timeout: float = 120) -> None:
    """SIGKILL the worker as soon as ``ready()`` says the job is under way."""
    import os
    import signal
    import time

    try:
        end = time.monotonic() + timeout
        while not ready():
            assert worker.poll() is None, f"the worker ended early: {worker.stderr.read().decode()[-3000:]}"
            assert time.monotonic() < end, "the job never started"
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
