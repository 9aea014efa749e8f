"""Sessions for the load test (`make bench-load`): the people of a working day are signed in already, so the load
accounts get a session each, made here with Django's SessionStore (no password hash per person; the sign-in is
measured by its own scenario in the locustfile). Accounts (no usable password) are made once: clerks of the villages
with the most households, reviewers of their townships, analysts and education-department exchange accounts of
Yunnan. Writes {kind: [session key, …]} as JSON for the locustfile."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from fupin.core.models import User
    from fupin.core.roles import Role
    from fupin.regions.models import Region
    from fupin.registry.models import Household

    need = counts(args.users)
    villages = [r["village_id"] for r in Household.objects.values("village_id").annotate(n=Count("id"))
                .order_by("-n", "village_id")[: need["clerk"]]]
    if len(villages) < need["clerk"]:
        print("the load database has too few villages with households: run `make bench-load-db`", file=sys.stderr)
        return 2
    townships = list(dict.fromkeys(v[:9] for v in villages))
    regions = {r.code: r for r in Region.objects.filter(code__in=[*villages, *townships, "53"])}
    specs = {
        "clerk": [(f"load_clerk_{v}", regions[v], Role.CLERK, "") for v in villages],
        "township": [(f"load_township_{t}", regions[t], Role.TOWNSHIP_REVIEWER, "")
                     for t in townships[: need["township"]]],
        "analyst": [(f"load_analyst_{i}", regions["53"], Role.ANALYST, "") for i in range(need["analyst"])],
        "department": [(f"load_department_{i}", regions["53"], Role.EXCHANGE, "云南省教育厅")
                       for i in range(need["department"])],
    }
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    out: dict[str, list[str]] = {}
    for kind, people in specs.items():
        keys = []
        for i in range(need[kind]):
            username, region, role, organisation = people[i % len(people)]
            user, created = User.objects.get_or_create(username=username, defaults={
                "region": region, "organisation": organisation, "is_active": True})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get_or_create(name=role.value)[0])
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            keys.append(session.session_key)
        out[kind] = keys
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))
    print("sessions: " + ", ".join(f"{len(v)} {k}" for k, v in out.items()) + f" ({len(villages)} villages, "
          f"{len(specs['township'])} townships)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
