"""Groups of household statuses (code list ``household_status``): the one definition every app counts by.

Registered (建档立卡): in the registry now or before — not applicants, not households removed from it (清退), not
non-registered rural households. Poor now: may exit, and count in the incidence.
"""

from __future__ import annotations

REGISTERED_STATUSES: tuple[str, ...] = ("poor", "exited", "returned", "newly_poor", "monitored")
POOR_STATUSES: tuple[str, ...] = ("poor", "returned", "newly_poor")
