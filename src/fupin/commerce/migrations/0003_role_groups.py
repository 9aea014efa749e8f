"""The groups of the two roles of this app (a role is a Django group named by its code)."""

from django.db import migrations

ROLES = ("commerce_bureau", "shop_operator")


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("commerce", "0002_move_ecommerce_facilities"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
