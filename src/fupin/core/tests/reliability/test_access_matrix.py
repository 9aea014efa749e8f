"""C4 of issue #20: every route of the URL conf and every operation of the OpenAPI schema, as every role, with an
object inside and outside the role's region: the status the matrix (access_table.py) says, and no clear name or ID
number in a response to a role that may not see it, nor any person or household of outside the role's region."""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client

from fupin.core.tests.reliability import matrix
from fupin.core.tests.reliability.access_table import TABLE
from fupin.core.tests.reliability.world import ROLES, YUNNAN, build, clear_role, sides

pytestmark = pytest.mark.reliability


def guess_kind(route: str) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)
    names = [a or b for a, b in names]
    if not names:
        return "-"
    for word, kind in (("member", "member"), ("cases", "case"), ("notices", "notice"), ("measures", "measure"),
                       ("monitoring/alerts", "alert"), ("shops", "shop"), ("needs", "need"),
                       ("households", "household")):
        if word in route:
            return kind
    if names == ["code"]:
        return "region"
    return "absent"


def leaks(world, role: str, o: matrix.Observed) -> list[str]:
    """Clear names or ID numbers a masked role received; persons or households of outside the role's region."""
    found: list[str] = []
    _inside, outside = sides(role) if role != "anon" else (None, None)
    for body in (o.body_in, o.body_out):
        text = body.decode("utf-8", "replace")
        for code, side in world.side.items():
            clear = [v for v in side.names + side.id_numbers if v in text]
            if clear and (role == "anon" or not clear_role(role)):
                found.append(f"clear {clear[0]} to {role}")
            if code == outside and role != "shop":
                out = [v for v in side.names + side.id_numbers + side.household_numbers if v in text]
                if out:
                    found.append(f"{out[0]} of {code} (outside) to {role}")
    return found


@pytest.mark.django_db
def test_access_matrix():
    world = build()
    clients = {"anon": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    pages = [f"GET {r}" for r in matrix.page_routes()]
    api = matrix.api_operations(clients["sysadmin"])
    routes = pages + api
    missing = [k for k in routes if k not in TABLE]
    stale = [k for k in TABLE if k not in routes]
    problems: list[str] = []
    for key in routes:
        method, _, route = key.partition(" ")
        kind, spec = TABLE.get(key, (guess_kind(route), ""))
        anon = "401" if key.startswith(("GET /api", "POST /api", "PUT /api", "PATCH /api", "DELETE /api")) else "302"
        observed = matrix.observe(world, clients, method, route, kind)
        if not spec:
            problems.append(f'    "{key}": ("{kind}", "{matrix.suggest(observed, anon)}"),')
            continue
        expected = matrix.parse(spec)
        expected.setdefault("anon", anon)
        wrong = [f"{r} {observed[r].text()} (expected {expected[r]})" for r in ROLES
                 if not matrix.matches(expected[r], observed[r])]
        if wrong:
            problems.append(f"{key}: " + ", ".join(wrong))
        problems += [f"{key}: {role} {probe}" for role in ROLES for probe in matrix.probes(observed[role])]
        if method == "GET":
            for role in ROLES:
                problems += [f"{key}: {leak}" for leak in leaks(world, role, observed[role])]
    # the leak check can fail: the clerk's dossier shows its members in clear, the analyst's does not
    dossier = world.side[YUNNAN].params["pk"]
    assert world.side[YUNNAN].names[0] in clients["clerk"].get(f"/households/{dossier}/").content.decode()
    assert leaks(world, "analyst", matrix.Observed(200, None, clients["clerk"].get(f"/households/{dossier}/").content,
                                                   b""))
    if os.environ.get("FUPIN_MATRIX_PRINT"):
        print("\n".join(problems))
    message = []
    if missing:
        message.append(f"{len(missing)} route(s) have no line in core/tests/reliability/access_table.py. Check what "
                       "each answers today against the design, then add its line to TABLE (object: household, "
                       "member, case, notice, measure, alert, shop, region, absent or -):")
        message += [p for p in problems if p.startswith('    "')]
    if stale:
        message.append("lines of TABLE for routes that no longer exist (remove them): " + ", ".join(stale))
    wrong = [p for p in problems if not p.startswith('    "')]
    if wrong:
        message.append(f"{len(wrong)} route(s) answer differently from TABLE or leak personal data:")
        message += ["    " + p for p in wrong]
    assert not message, "\n".join(message)
