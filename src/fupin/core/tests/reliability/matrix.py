"""Routes of the URL conf and operations of the OpenAPI schema, requested as each role, for the access matrix."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fupin.core.tests.reliability.world import ABSENT, ROLES, World, sides

# Routes the matrix does not cover, with the reason.
EXCLUDED_PREFIXES = (
    "admin/",  # Django's admin: staff only, covered by core/tests/test_hardening.py (masked admin)
    "api/v1/",  # the API is covered operation by operation from the OpenAPI schema
)
# Parameters that are not an object's key: a fixed value.
FIXED = {"year": 2020, "fmt": "pdf", "group": "elderly", "kind": "disbursements", "action": "approve",
         "token": "absent-token", "code": None}
OBJECT_KINDS = ("household", "member", "case", "notice", "measure", "alert", "shop", "need", "cadre", "region", "absent", "-")


def page_routes() -> list[str]:
    """Every route of the URL conf (``include``s walked), as written in the URL conf, e.g. ``households/<int:pk>/``."""
    out: list[str] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not route.startswith(EXCLUDED_PREFIXES) and route not in out:
                    out.append(route)

    walk(get_resolver().url_patterns, "")
    return out


def api_operations(client: Client) -> list[str]:
    """Every operation of /api/v1/openapi.json as ``METHOD /path``."""
    schema = client.get("/api/v1/openapi.json").json()
    return [f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\{(\w+)\}")


def fill(route: str, kind: str, params: dict[str, Any] | None) -> str:
    """The route with its parameters replaced by the object of ``kind`` (``params`` of one side of the world)."""
    def one(m: re.Match[str]) -> str:
        conv, name = m.group(1), m.group(2) or m.group(3)
        if kind == "absent" or params is None:
            return "absent" if conv == "str" or name in ("code", "token", "group", "fmt", "kind", "action") \
                else str(ABSENT)
        if name in ("pk", "household_id") and kind not in ("household", "member", "region"):
            return str(params[kind])
        if name == "code":
            return str(params["code"])
        if name in params:
            return str(params[name])
        if FIXED.get(name) is not None:
            return str(FIXED[name])
        return str(ABSENT)

    path = PARAM.sub(one, route)
    return path if path.startswith("/") else "/" + path


@dataclass
class Observed:
    inside: int
    outside: int | None
    body_in: bytes
    body_out: bytes
    absent: int | None = None  # the status for a key no object has (routes with an object)

    def text(self) -> str:
        if self.outside is None or self.outside == self.inside:
            return str(self.inside)
        return f"{self.inside}/{self.outside}"


def body(response: Any) -> bytes:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":  # xlsx: the cells are in the zip's XML parts
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            return data
    return data


def request(client: Client, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, data="{}", content_type="application/json")


def observe(world: World, clients: dict[str, Client], method: str, route: str, kind: str) -> dict[str, Observed]:
    out: dict[str, Observed] = {}
    for role in ROLES:
        inside, outside = sides(role) if role != "anon" else (world_first(world), None)
        r_in = request(clients[role], method, fill(route, kind, world.side[inside].params))
        b_in = body(r_in)
        if outside is not None and kind not in ("-", "absent"):
            r_out = request(clients[role], method, fill(route, kind, world.side[outside].params))
            out[role] = Observed(r_in.status_code, r_out.status_code, b_in, body(r_out))
        else:
            out[role] = Observed(r_in.status_code, None, b_in, b"")
        if kind not in ("-", "absent"):
            out[role].absent = request(clients[role], method, fill(route, "absent", None)).status_code
    return out


def probes(o: Observed) -> list[str]:
    """Existence probing: a role refused an object (403 or 404) must be refused the same way for a key no object
    has, or the difference tells it that the object exists. Roles that may never use a route answer 403 before
    looking the object up; roles that may, 404 for an object outside their region as for one that does not exist."""
    refused = [(side, status) for side, status in (("inside", o.inside), ("outside", o.outside))
               if status in (403, 404)]
    return [f"{status} for the object {side} but {o.absent} for an absent one" for side, status in refused
            if o.absent is not None and o.absent != status]


def world_first(world: World) -> str:
    return next(iter(world.side))


# -- the declarative expectations ------------------------------------------------------------------------------

def parse(spec: str) -> dict[str, str]:
    """``"403 | clerk county: 200/404 | anon: 200"`` → the expected status text of every role. The first part is the
    default of every signed-in role; ``anon`` defaults to the login redirect (302) for pages and 401 for the API,
    which ``expected`` fills in."""
    parts = [p.strip() for p in spec.split("|")]
    result = {role: parts[0] for role in ROLES if role != "anon"}
    for part in parts[1:]:
        roles, _, value = part.partition(":")
        for role in roles.split():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} in {spec!r}; roles: {' '.join(ROLES)}")
            result[role] = value.strip()
    return result


def suggest(observed: dict[str, Observed], anon_default: str) -> str:
    """The spec that describes ``observed``: the most common value as the default, the other roles listed."""
    values = {role: o.text() for role, o in observed.items()}
    signed = [r for r in ROLES if r != "anon"]
    counts: dict[str, int] = {}
    for r in signed:
        counts[values[r]] = counts.get(values[r], 0) + 1
    default = max(counts, key=lambda v: (counts[v], v == "403"))
    groups: dict[str, list[str]] = {}
    for r in signed:
        if values[r] != default:
            groups.setdefault(values[r], []).append(r)
    if values["anon"] != anon_default:
        groups.setdefault(values["anon"], []).append("anon")
    return " | ".join([default, *(f"{' '.join(rs)}: {v}" for v, rs in groups.items())])


def matches(expected: str, o: Observed) -> bool:
    inside, _, outside = expected.partition("/")
    if str(o.inside) != inside:
        return False
    if o.outside is None:
        return True
    return str(o.outside) == (outside or inside)


def iter_keys(rows: dict[str, tuple[str, str]]) -> Iterator[tuple[str, str, str, str]]:
    for key, (kind, spec) in rows.items():
        method, _, route = key.partition(" ")
        yield method, route, kind, spec
