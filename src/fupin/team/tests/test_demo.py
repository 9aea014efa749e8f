import io

from django.core.management import call_command

from fupin.team.models import Attendance, FollowUp, Posting, Training


def test_demo_team_gives_every_village_a_team_once(households):
    out = io.StringIO()
    call_command("demo_team", "--province", "53", stdout=out)
    villages = {code for code in households if code.startswith("53")}
    assert {p.region_id for p in Posting.objects.filter(role="first_secretary", end_date=None)} == villages
    assert Training.objects.filter(topic="ecommerce").exists() and "synthetic" in out.getvalue()
    trainee = Attendance.objects.filter(training__topic="ecommerce").exclude(outcome="").first()
    assert trainee is not None and trainee.certificate.startswith("DS")
    assert trainee.follow_ups.order_by("-visited_on", "-id").first().outcome == trainee.outcome
    assert all(f.visited_on > f.attendance.training.starts_on for f in FollowUp.objects.select_related("attendance__training"))
    call_command("demo_team", "--province", "53", "--if-empty", stdout=out)
    assert "nothing generated" in out.getvalue()
