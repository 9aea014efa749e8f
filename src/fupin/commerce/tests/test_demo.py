from django.core.management import call_command

from fupin.commerce.models import Batch, Purchase, Shop, ShopHousehold, Station, TraceEvent
from fupin.connectivity.tests.factories import add_villages
from fupin.registry import demo as registry_demo


def test_demo_commerce_once(tree, capsys):
    add_villages(tree, per_township=4)
    registry_demo.generate(households=120, area="53", seed=3)
    call_command("demo_commerce", "--province", "53", "--if-empty")
    assert Station.objects.filter(source="演示数据（虚构）").exists() and Shop.objects.exists()
    assert ShopHousehold.objects.exists() and Purchase.objects.exists() and TraceEvent.objects.exists()
    assert all(p.amount == (p.quantity * p.unit_price).quantize(p.amount) for p in Purchase.objects.all()[:200])
    counts = (Shop.objects.count(), Purchase.objects.count(), Batch.objects.count())
    call_command("demo_commerce", "--province", "53", "--if-empty")
    assert "nothing generated" in capsys.readouterr().out
    assert (Shop.objects.count(), Purchase.objects.count(), Batch.objects.count()) == counts


def test_demo_shop_login_operates_the_demo_shop(tree, households):
    from fupin.commerce import selectors
    from fupin.core.models import User
    from fupin.home.services import create_demo_users

    call_command("demo_commerce", "--province", "53")
    create_demo_users()
    operator = User.objects.get(username="demo_shop")
    assert operator.region_id is None and operator.full_clean() is None
    own = list(selectors.shops(operator))
    assert len(own) == 1 and own[0].region_id.startswith("533301")
    assert User.objects.get(username="demo_commerce").region_id == "533301"
