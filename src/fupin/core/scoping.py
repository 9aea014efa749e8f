"""Access by region (X1): the one place where every queryset, page, export and API call is limited
to the user's subtree.

The division code is the tree: a node's code is a prefix of the codes of everything below it
(53 → 5333 → 533301 → 533301001 → 533301001001). Codes are strings of digits of at most 12
characters, so the subtree of ``p`` is exactly the range ``[p, p + "9" * (12 - len(p))]`` — one
indexed range scan on any database, with no recursive query.

Each scoped model names the field that holds its region code in ``SCOPE_FIELD``; ``scoped()``
refuses a model without one, so a forgotten scope is an error, not a leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from fupin.core.roles import NATIONWIDE_ROLES

if TYPE_CHECKING:
    from fupin.core.models import User

CODE_LENGTH = 12
M = TypeVar("M", bound=Model)


def is_code(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts full-width and other digits), at most 12."""
    return 0 < len(text) <= CODE_LENGTH and all("0" <= c <= "9" for c in text)


def subtree_range(prefix: str) -> tuple[str, str]:
    """The inclusive code range covering ``prefix`` and all its descendants."""
    if not is_code(prefix):
        raise ValueError(f"not a division code: {prefix!r}")
    return prefix, prefix + "9" * (CODE_LENGTH - len(prefix))


@dataclass(frozen=True)
class Scope:
    """A subtree of the division tree. ``prefix=""`` is the whole country; ``None`` is nothing."""

    prefix: str | None

    @classmethod
    def nation(cls) -> Scope:
        return cls("")

    @classmethod
    def nothing(cls) -> Scope:
        return cls(None)

    @property
    def is_nation(self) -> bool:
        return self.prefix == ""

    def q(self, field: str) -> Q:
        if self.prefix is None:
            return Q(pk__in=[])
        if self.prefix == "":
            return Q()
        return Q(**{f"{field}__range": subtree_range(self.prefix)})

    def contains(self, code: str | None) -> bool:
        if self.prefix is None or code is None:
            return False
        return code.startswith(self.prefix)

    def narrow(self, code: str) -> Scope:
        """The part of this scope below ``code`` (nothing when ``code`` lies outside)."""
        if self.prefix is None:
            return self
        if code.startswith(self.prefix):
            return Scope(code)
        if self.prefix.startswith(code):
            return self
        return Scope.nothing()


def scope_of(user: User | Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.nothing()
    if user.region_id:
        return Scope(user.region_id)
    if user.is_superuser or user.role_codes & {r.value for r in NATIONWIDE_ROLES}:
        # A user without a region is nationwide when a role allows it (User.clean() keeps region-less users to
        # nationwide roles and roles that only see their own records, such as shop operators: those get nothing).
        return Scope.nation()
    return Scope.nothing()


def scope_field(model: type[Model]) -> str:
    field = getattr(model, "SCOPE_FIELD", None)
    if not field:
        raise TypeError(f"{model.__name__} has no SCOPE_FIELD and cannot be scoped by region")
    return str(field)


def scoped(qs: QuerySet[M], user: User | Any) -> QuerySet[M]:
    """``qs`` limited to what ``user`` may see."""
    return qs.filter(scope_of(user).q(scope_field(qs.model)))


def get_scoped_or_404(qs: QuerySet[M], user: User | Any, **lookup: Any) -> M:
    """One object of ``qs`` inside the user's subtree; outside it, the object does not exist (404)."""
    try:
        return scoped(qs, user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
