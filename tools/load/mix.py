"""The people of the load test and their shares (weights are people, not requests), shared by the locustfile, the
session maker and the report."""

from __future__ import annotations

import math

# kind → (weight, what they do)
PEOPLE: dict[str, tuple[int, str]] = {
    "clerk": (5, "village clerks: household list, a dossier of their village, saving a dossier edit (API PATCH)"),
    "township": (2, "township reviewers: alert queue, an alert, deciding an alert, case queue, a case"),
    "analyst": (2, "analysts: indicator dashboard, ranking, region browser, indicator values (API)"),
    "department": (1, "department accounts: registered school-age persons, pages of 500 by `after=` (API)"),
}
# Besides them, one person signs in through the login page every SIGN_IN_EVERY seconds (the morning's arrivals:
# 200 people signing in over about half an hour) and signs out again; the sign-in's own figures are its line.
SIGN_IN_EVERY = 10


def counts(users: int) -> dict[str, int]:
    """How many of ``users`` people are of each kind (locust distributes by weight; one more each for rounding)."""
    total = sum(w for w, _ in PEOPLE.values())
    return {kind: math.ceil(users * w / total) + 1 for kind, (w, _) in PEOPLE.items()}
