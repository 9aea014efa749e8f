"""Load of issue #20 C1 (`make bench-load`): people of four kinds on the demo logins, each waiting 5–15 s between
actions as people do. The mix (weights are users, not requests):

* clerks (5): the household list, a dossier of their village, and saving an edit of a dossier (the phone number,
  through the API with the session, as the form's service does);
* township reviewers (2): the alert queue and an alert, deciding an alert (dismiss with a reason), the case queue
  and a case;
* analysts (2): the indicator dashboard, the ranking, the region browser, indicator values from the API;
* departments (1): pulling registered persons of a group they serve, page by page, from the API.

Every request must succeed (a 4xx or 5xx counts as an error); the figures are printed by locust and summarised into
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "fupin-demo-2026"


class Person(HttpUser):
    abstract = True
    wait_time = between(5, 15)
    login = ""

    def on_start(self) -> None:
        page = self.client.get("/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on the login page ({page.status_code} {page.error})"
        r = self.client.post("/login/", {"username": self.login, "password": PASSWORD,
                                         "csrfmiddlewaretoken": token.group(1)},
                             headers={"Referer": self.host + "/login/"}, name="login", allow_redirects=False)
        assert r.status_code == 302, f"login of {self.login} failed: {r.status_code} {r.error}"
        self.csrf = self.client.cookies.get("csrftoken", "")

    def api(self, method: str, path: str, name: str, **kw):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.host + "/"}
        return self.client.request(method, path, name=name, headers=headers, **kw)


class Clerk(Person):
    weight = 5
    login = "demo_clerk"

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
    weight = 2
    login = "demo_township"

    def on_start(self) -> None:
        super().on_start()
        data = self.client.get("/api/v1/monitoring/alerts?page_size=100", name="api alerts").json()
        self.alerts = [r["id"] for r in data["results"]]
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
    weight = 2
    login = "demo_analyst"

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
    weight = 1
    login = "demo_exchange"

    def on_start(self) -> None:
        super().on_start()
        self.after: int | None = None

    @task
    def pull(self) -> None:
        params = {"group": "school_age", "page_size": 500}
        if self.after:
            params["after"] = self.after
        r = self.client.get("/api/v1/exchange/persons", params=params, name="api persons page")
        if r.ok:
            self.after = r.json().get("next_after")
