"""C3 of issue #20: every operation of the OpenAPI schema fuzzed with schemathesis, as each role, in-process through
the WSGI application: never a 500, every answer inside its documented schema, and no clear name or ID number to a
role that may not see them, nor any person or household of outside the role's region.

CI runs a few derandomized examples per operation and role (FUZZ_EXAMPLES, default 2); ``make test-reliability
FUZZ=200`` runs a larger, random one."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from fupin.core.models import ApiToken
from fupin.core.tests.reliability.world import ROLES, build, clear_role, sides

pytestmark = pytest.mark.reliability

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
DERANDOMIZE = "FUZZ_RANDOM" not in os.environ


def token_for(user) -> str:
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=user, name="fuzz", key_hash=ApiToken.hash(raw), hint=raw[:8])
    return raw


def outside_values(world, role: str) -> list[str]:
    values: list[str] = []
    _inside, outside = sides(role)
    for code, side in world.side.items():
        if not clear_role(role):
            values += side.names + side.id_numbers
        elif code == outside:
            values += side.names + side.id_numbers
        if code == outside and role != "shop":
            values += side.household_numbers
    return values


@pytest.fixture
def _keep_connection():
    """The WSGI handler closes the database connection after each request; the test transaction must stay open
    (django.test.Client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_connection")
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
def test_every_operation_as_role(role):
    world = build()
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token_for(world.users[role])}"}
    forbidden = outside_values(world, role)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 50, "the schema lists too few operations"
    for op in operations:
        @settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        @given(case=op.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            text = response.content.decode("utf-8", "replace")
            leaked = [v for v in forbidden if v in text]
            assert not leaked, f"{leaked[0]} reached {role}"

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{op.label}: {str(exc).strip()[:1200]}")
    assert not failures, f"{len(failures)} operation(s) failed as {role}:\n" + "\n\n".join(failures)


def test_schema_names_are_unique():
    """django-ninja names each body and response schema of the OpenAPI document by its class name: two classes of
    one name (registry's and team's ``MemberOut``) gave one of them the other's schema, so the dossier's answer
    "violated" the document (found by the fuzzing on PostgreSQL). Classes of one name must be the same schema."""
    from ninja import Schema

    import fupin.api  # noqa: F401  (every router's schemas imported)

    def subclasses(cls: type) -> list[type]:
        return [s for c in cls.__subclasses__() for s in (c, *subclasses(c))]

    by_name: dict[str, dict[str, str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("fupin.") and not cls.__pydantic_generic_metadata__["origin"]:
            by_name.setdefault(cls.__name__, {})[cls.__module__] = str(cls.model_json_schema())
    clashes = {name: sorted(mods) for name, mods in by_name.items() if len(set(mods.values())) > 1}
    assert not clashes, f"API schema classes of one name with different fields (rename one): {clashes}"
