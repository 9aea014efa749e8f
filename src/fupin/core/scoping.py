"""Access by region (X1): the one place where every queryset, page, export and API call is limited
to the user's subtree, and where a region the user typed or picked is checked against it.

The code tree itself (levels, lengths, subtree bounds) is ``fupin.core.tree``: a subtree is one code range,
one indexed range scan on any database, with no recursive query.

Each scoped model names the field that holds its region code in ``SCOPE_FIELD``; ``scoped()``
refuses a model without one, so a forgotten scope is an error, not a leak.

Narrowing to a region from a request goes through ``narrow_or_404`` only; the resulting ``Scope`` gives the
ORM filter (``q(field)``) and the bounds for raw SQL (``bounds()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from fupin.core.roles import NATIONWIDE_ROLES
from fupin.core.tree import CODE_LENGTH, is_code, subtree_bounds

if TYPE_CHECKING:
    from fupin.core.models import User

__all__ = ["Scope", "get_scoped_or_404", "is_code", "narrow_or_404", "scope_field", "scope_of",
           "scoped"]

M = TypeVar("M", bound=Model)

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
        if len(self.prefix) == CODE_LENGTH:
            # A village has no subtree: the range of one value is that value. PostgreSQL estimates an equality from
            # the column's statistics but a range of one value at about 0.2 % of the table, and then walked a
            # million-row index in another order (a clerk's household list took 340 ms instead of 2; issue 20 C1).
            return Q(**{field: self.prefix})
        return Q(**{f"{field}__range": subtree_bounds(self.prefix)})

    def bounds(self) -> tuple[str, str]:
        """The inclusive code range of this scope for raw SQL (``col BETWEEN %s AND %s``); the whole country is
        ``subtree_bounds("")``; nothing is an empty range."""
        if self.prefix is None:
            return "1", "0"
        return subtree_bounds(self.prefix)

    def contains(self, code: str | None) -> bool:
        """The node ``code`` lies in this scope (``""``, the nation, only in the whole country's)."""
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


def narrow_or_404(user: User | Any, code: str | None, *, node: bool = False) -> Scope:
    """The user's scope narrowed to the region ``code`` typed or picked in a request.

    Empty (``""`` or None): the user's whole scope (the whole country for a nationwide user). A code above the
    user's region (a county officer picking their province) narrows nothing: the user's own subtree.
    404 when ``code`` is not a division code (ASCII digits only: full-width digits are not a code) or lies
    outside the user's scope.

    ``node=True`` asks for the node itself (its figures, its page): the user must see all of it, so a code above
    the user's region, or ``""`` (the nation) for a user who is not nationwide, is 404 too; the result is
    exactly ``Scope(code)``.
    """
    scope = scope_of(user)
    if scope.prefix is None:
        raise Http404
    code = code or ""
    if code and not is_code(code):
        raise Http404
    if node:
        if not scope.contains(code):
            raise Http404
        return Scope(code)
    narrowed = scope.narrow(code)
    if narrowed.prefix is None:
        raise Http404
    return narrowed


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
