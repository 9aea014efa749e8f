"""One rule for who may act (core.permissions): a signed-in user with the role, or SYSTEM — passed explicitly by
management commands and tasks. A logged-out caller, None or an inactive user is never taken for the operator."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from fupin.connectivity import services as connectivity
from fupin.core import permissions
from fupin.core.models import AuditEvent
from fupin.core.permissions import SYSTEM
from fupin.core.roles import REGISTRY_WRITE_ROLES, Role
from fupin.exchange import services as exchange
from fupin.monitoring import services as monitoring

NOBODY = [None, AnonymousUser()]


@pytest.mark.parametrize("actor", NOBODY, ids=["none", "anonymous"])
def test_nobody_is_refused_everywhere(db, actor):
    assert not permissions.has_any_role(actor, list(Role))
    assert not permissions.can_write_registry(actor)
    assert not permissions.can_write_connectivity(actor)
    assert not permissions.can_run_jobs(actor)
    with pytest.raises(PermissionDenied):
        monitoring.run_rules(actor=actor)
    with pytest.raises(PermissionDenied):
        exchange.run_comparison(actor=actor)
    with pytest.raises(PermissionDenied):
        exchange.upload_batch(actor=actor, dataset="death", content=b"", file_name="x.csv", as_of=dt.date(2020, 1, 1))
    with pytest.raises(PermissionDenied):
        connectivity.import_events(actor=actor, content=b"", filename="x.csv")
    with pytest.raises(PermissionDenied):
        connectivity.import_facilities(actor=actor, content=b"", filename="x.csv")
    with pytest.raises(PermissionDenied):
        connectivity.freeze_ranking(actor=actor, as_of=dt.date(2020, 12, 31))
    assert not AuditEvent.objects.exists()


def test_an_inactive_user_is_refused(users):
    admin = users["sysadmin"]
    admin.is_active = False
    assert not permissions.can_run_jobs(admin)
    with pytest.raises(PermissionDenied):
        monitoring.run_rules(actor=admin)


def test_system_acts_only_where_commands_do(users):
    assert permissions.is_system(SYSTEM) and not permissions.is_user(SYSTEM)
    assert permissions.can_run_jobs(SYSTEM) and permissions.can_write_connectivity(SYSTEM)
    assert not permissions.can_write_registry(SYSTEM)  # dossiers are written by people, never by the machine
    assert permissions.user_or_none(SYSTEM) is None and permissions.user_or_none(users["clerk"]) == users["clerk"]
    run = monitoring.run_rules(actor=SYSTEM)
    event = AuditEvent.objects.get(object_type="monitoring.run", object_id=str(run.pk))
    assert event.user is None and event.channel.startswith("cli") and event.username  # the operating-system user


@pytest.mark.parametrize("role", list(Role))
def test_roles(users, tree, role):
    from fupin.testing import make_user

    user = make_user(f"u_{role.value}", None if role in (Role.SYSADMIN, Role.ANALYST, Role.EXCHANGE) else tree["53"],
                     role)
    assert permissions.can_write_registry(user) == (role in REGISTRY_WRITE_ROLES)
    assert permissions.can_write_connectivity(user) == (role in permissions.CONNECTIVITY_WRITE_ROLES)
    assert permissions.can_run_jobs(user) == (role == Role.SYSADMIN)


@pytest.mark.parametrize("actor", NOBODY, ids=["none", "anonymous"])
def test_nobody_steps_on_a_case_or_sets_a_poverty_line(users, households, actor):
    from fupin.lifecycle import services as lifecycle
    from fupin.monitoring import services as monitoring_services

    h = households["533301205201"]
    with pytest.raises(PermissionDenied):
        lifecycle.open_case(actor=actor, household=h, kind="identification", year=2019, reason="申请")
    with pytest.raises(PermissionDenied):
        lifecycle.set_poverty_line(actor=actor, year=2020, standard="national", amount="4000")
    with pytest.raises(PermissionDenied):
        monitoring_services.report_risk(actor=actor, household_id=h.pk, kind="illness", occurred_on=None,
                                        description="x", source="x")
    assert not AuditEvent.objects.exists()
