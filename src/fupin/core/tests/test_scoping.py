import pytest

from fupin.core.scoping import Scope, scoped


def test_scope_narrow():
    assert Scope("5333").narrow("533301").prefix == "533301"
    assert Scope("533301").narrow("53").prefix == "533301"
    assert Scope("533301").narrow("52").prefix is None
    assert Scope.nation().narrow("52").prefix == "52"


def test_models_without_scope_field_cannot_be_scoped(db, users):
    from django.contrib.auth.models import Group

    with pytest.raises(TypeError, match="SCOPE_FIELD"):
        scoped(Group.objects.all(), users["county"])


def test_user_without_region_or_role_sees_nothing(db):
    from fupin.core.models import User
    from fupin.core.scoping import scope_of

    user = User.objects.create_user(username="nobody", password="x-long-password-1")
    assert scope_of(user).prefix is None


def test_every_model_with_region_data_declares_a_scope_field():
    """A new model that hangs on a region must say how it is scoped (guard against leaks)."""
    from django.apps import apps

    for model in apps.get_models():
        if not model.__module__.startswith("fupin."):
            continue
        fields = {f.name for f in model._meta.get_fields()}
        hangs_on_region = fields & {"region", "village", "household", "region_code"}
        if hangs_on_region and model.__name__ not in ("ApiToken",):
            assert getattr(model, "SCOPE_FIELD", None), model
