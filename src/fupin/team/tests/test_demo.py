import io

from django.core.management import call_command

from fupin.team.models import Posting, Training


def test_demo_team_gives_every_village_a_team_once(households):
    out = io.StringIO()
    call_command("demo_team", "--province", "53", stdout=out)
    villages = {code for code in households if code.startswith("53")}
    assert {p.region_id for p in Posting.objects.filter(role="first_secretary", end_date=None)} == villages
    assert Training.objects.filter(topic="ecommerce").exists() and "synthetic" in out.getvalue()
    call_command("demo_team", "--province", "53", "--if-empty", stdout=out)
    assert "nothing generated" in out.getvalue()
