"""Load of issue #20 C1 (`make bench-load`): the people of a working day, each waiting 5–15 s between actions as
people do, arriving over the first LOAD_RAMP seconds. The mix is in mix.py (weights are people, not requests):

* village clerks (5): the household list, a dossier of their village, and saving an edit of a dossier (the phone
  number, through the API with the session, as the form's service does);
* township reviewers (2): the alert queue and an alert, deciding an alert (dismiss with a reason), the case queue
  and a case;
* analysts (2): the indicator dashboard, the ranking, the region browser, indicator values from the API;
* departments (1): pulling registered school-age persons, page by page (keyset, ``after=``), from the API.

They are signed in already: tools/load/sessions.py made a session for each (LOAD_SESSIONS, a JSON file), as on a
working day when people opened the platform in the morning. Signing in is measured on its own: one more person
(``SignIn``) signs in through the login page every mix.SIGN_IN_EVERY seconds and signs out again — PBKDF2 costs about
a second of CPU by design, and 200 people signing in within the same few seconds is not a working day.

Every request must succeed (a 4xx or 5xx counts as an error, except the one refusal that is the answer: an alert
already decided by another reviewer). tools/load/report.py prints p50/p95/p99, errors and the mix.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import string
import sys
from pathlib import Path

from locust import HttpUser, between, constant_pacing, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import PEOPLE, SIGN_IN_EVERY

PASSWORD = "fupin-demo-2026"
_SESSIONS: dict[str, list[str]] = {}
_TIMES: list[tuple[str, str, float, bool]] = []  # (method, name, milliseconds, failed) of every request


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Exception | None, **_kw: object) -> None:
    _TIMES.append((request_type, name, response_time, exception is not None))


@events.quitting.add_listener
def _write_times(**_kw: object) -> None:
    """Every request's time for report.py (LOAD_TIMES), which computes exact percentiles of the working mix
    without the sign-in scenario (locust's own summary merges them)."""
    path = os.environ.get("LOAD_TIMES")
    if path:
        Path(path).write_text(json.dumps(_TIMES))


def _next_session(kind: str) -> str:
    if not _SESSIONS:
        path = os.environ.get("LOAD_SESSIONS", "var/bench-load-sessions.json")
        _SESSIONS.update(json.loads(Path(path).read_text()))
    keys = _SESSIONS[kind]
    key = keys.pop(0)
    keys.append(key)  # more people than sessions (a smaller ramp): share
    return key


class Person(HttpUser):
    """A signed-in person: the session cookie of tools/load/sessions.py and a CSRF cookie of their own."""

    abstract = True
    wait_time = between(5, 15)
    kind = ""

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", _next_session(self.kind))
        self.csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.client.cookies.set("csrftoken", self.csrf)

    def api(self, method: str, path: str, name: str, **kw):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.host + "/"}
        return self.client.request(method, path, name=name, headers=headers, **kw)


class Clerk(Person):
    weight = PEOPLE["clerk"][0]
    kind = "clerk"

    def on_start(self) -> None:
        super().on_start()
        data = self.client.get("/api/v1/households/?page_size=50", name="api households").json()
        self.ids = [r["id"] for r in data["results"]] or [0]

    @task(3)
    def household_list(self) -> None:
        self.client.get("/households/", name="households list")

    @task(4)
    def dossier(self) -> None:
        self.client.get(f"/households/{random.choice(self.ids)}/", name="dossier")

    @task(1)
    def save_edit(self) -> None:
        phone = f"139{random.randrange(10**8):08d}"
        self.api("PATCH", f"/api/v1/households/{random.choice(self.ids)}", "save dossier edit",
                 json={"phone": phone, "reason": "电话号码变更", "correction": True})


class TownshipReviewer(Person):
    weight = PEOPLE["township"][0]
    kind = "township"

    def on_start(self) -> None:
        super().on_start()
        data = self.client.get("/api/v1/monitoring/alerts?page_size=100", name="api alerts").json()
        self.alerts = [r["id"] for r in data["results"]]
        random.shuffle(self.alerts)
        cases = self.client.get("/api/v1/lifecycle/cases?page_size=50", name="api cases").json()
        self.cases = [r["id"] for r in cases["results"]]

    @task(3)
    def alert_queue(self) -> None:
        self.client.get("/monitoring/", name="alert queue")

    @task(2)
    def alert(self) -> None:
        if self.alerts:
            self.client.get(f"/monitoring/alerts/{random.choice(self.alerts)}/", name="alert")

    @task(1)
    def decide_alert(self) -> None:
        if self.alerts:
            pk = self.alerts.pop()
            with self.api("POST", f"/api/v1/monitoring/alerts/{pk}/dismiss", "decide alert",
                          json={"reason": "入户核实：收入已恢复，风险消除"}, catch_response=True) as r:
                if r.status_code == 422:  # decided meanwhile by another reviewer: the refusal is the answer
                    r.success()

    @task(2)
    def case_queue(self) -> None:
        self.client.get("/lifecycle/", name="case queue")

    @task(2)
    def case(self) -> None:
        if self.cases:
            self.client.get(f"/lifecycle/cases/{random.choice(self.cases)}/", name="case")


class Analyst(Person):
    weight = PEOPLE["analyst"][0]
    kind = "analyst"

    def on_start(self) -> None:
        super().on_start()
        periods = self.client.get("/api/v1/indicators/periods", name="api periods").json()
        definitions = self.client.get("/api/v1/indicators/definitions", name="api definitions").json()
        self.period = periods[0]["code"] if isinstance(periods, list) else periods["results"][0]["code"]
        defs = definitions if isinstance(definitions, list) else definitions["results"]
        self.indicators = [d["code"] for d in defs][:10]

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/indicators/", name="indicator dashboard")

    @task(1)
    def ranking(self) -> None:
        self.client.get("/indicators/ranking/", name="indicator ranking")

    @task(1)
    def regions(self) -> None:
        self.client.get("/regions/533301/", name="region browser")

    @task(1)
    def api_values(self) -> None:
        self.client.get("/api/v1/indicators/children", name="api indicator values",
                        params={"region": "53", "period": self.period, "indicator": random.choice(self.indicators)})


class Department(Person):
    weight = PEOPLE["department"][0]
    kind = "department"

    def on_start(self) -> None:
        super().on_start()
        self.after: str | None = None

    @task
    def pull(self) -> None:
        params: dict[str, object] = {"group": "school_age", "page_size": 500}
        if self.after:
            params["after"] = self.after
        r = self.client.get("/api/v1/exchange/persons", params=params, name="api persons page")
        if r.ok:
            self.after = r.json().get("next_after")


class SignIn(HttpUser):
    """One person signing in through the login page (PBKDF2 by design) every SIGN_IN_EVERY seconds, then out."""

    fixed_count = 1
    wait_time = constant_pacing(SIGN_IN_EVERY)
    logins = ("demo_clerk", "demo_township", "demo_analyst", "demo_county")

    @task
    def sign_in(self) -> None:
        self.client.cookies.clear()
        page = self.client.get("/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not token:
            return
        with self.client.post("/login/", {"username": random.choice(self.logins), "password": PASSWORD,
                                          "csrfmiddlewaretoken": token.group(1)},
                              headers={"Referer": self.host + "/login/"}, name="sign in", allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
                return
        csrf = self.client.cookies.get("csrftoken", "")
        self.client.post("/logout/", headers={"X-CSRFToken": csrf, "Referer": self.host + "/"}, name="sign out",
                         allow_redirects=False)
