"""Who may act: the role checks every service uses, in one place.

A service acts for a signed-in user, or — only in management commands and background tasks — for ``SYSTEM``,
the operator of the machine. ``SYSTEM`` is passed explicitly by the command or task that runs the service;
it is never inferred: ``None``, an anonymous or an inactive user is refused by every check here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.core.exceptions import PermissionDenied

from fupin.core.roles import REGISTRY_WRITE_ROLES, Role


class SystemActor:
    """The operator of the machine, for management commands and background tasks only. Audit records it
    under the channel ``cli`` with the operating-system user (see ``core.audit.record``)."""

    is_authenticated: Final = False
    is_active: Final = True
    is_superuser: Final = False
    username: Final = ""
    pk: Final = None
    region_id: Final = None

    def has_role(self, *roles: str) -> bool:
        return False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

# Roles that record connectivity events, facilities and targets.
CONNECTIVITY_WRITE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.EXCHANGE, Role.SYSADMIN})
# Roles that run nationwide jobs (warning rules, comparisons) from a page or the API.
JOB_ROLES = frozenset({Role.SYSADMIN})


def is_system(actor: Any) -> bool:
    return actor is SYSTEM


def is_user(actor: Any) -> bool:
    """A signed-in, active user (not ``SYSTEM``, not anonymous, not ``None``)."""
    return (actor is not None and not is_system(actor) and bool(getattr(actor, "is_authenticated", False))
            and bool(getattr(actor, "is_active", False)))


def has_any_role(actor: Any, roles: Iterable[str], *, system: bool = True) -> bool:
    """True for ``SYSTEM`` (when ``system``), a superuser, or a signed-in user holding one of ``roles``."""
    if is_system(actor):
        return system
    if not is_user(actor):
        return False
    return bool(actor.is_superuser) or actor.has_role(*roles)


def require_role(actor: Any, roles: Iterable[str], message: str = "没有权限 / not allowed for your role",
                 *, system: bool = True) -> None:
    if not has_any_role(actor, roles, system=system):
        raise PermissionDenied(message)


def user_or_none(actor: Any) -> Any:
    """The user to store in a ``created_by``-like column: ``None`` for ``SYSTEM``."""
    return actor if is_user(actor) else None


def can_write_registry(actor: Any) -> bool:
    """May enter and correct dossiers (the region is checked separately)."""
    return has_any_role(actor, REGISTRY_WRITE_ROLES, system=False)


def can_write_connectivity(actor: Any) -> bool:
    return has_any_role(actor, CONNECTIVITY_WRITE_ROLES)


def can_run_jobs(actor: Any) -> bool:
    """May start the nationwide warning run or comparison."""
    return has_any_role(actor, JOB_ROLES)
