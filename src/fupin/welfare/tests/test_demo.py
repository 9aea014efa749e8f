"""`make db` runs demo_users (which makes the demo donor) before demo_welfare --if-empty: the welfare demo must
still load."""

from django.conf import settings
from django.core.management import call_command

from fupin.regions.services import load_regions
from fupin.registry.demo import generate
from fupin.welfare.models import Need, Pairing, WelfareProject


def test_the_welfare_demo_loads_after_the_demo_users(db):
    load_regions(directory=settings.DIVISIONS_DIR, provinces=["53"])
    generate(households=300, area="533301", seed=1)
    call_command("demo_users")
    call_command("demo_welfare", "--if-empty")
    assert Need.objects.exists() and WelfareProject.objects.exists() and Pairing.objects.exists()
    needs = Need.objects.count()
    call_command("demo_welfare", "--if-empty")  # once only
    assert Need.objects.count() == needs
