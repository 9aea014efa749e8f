"""The group of the helping-cadre role (a role is a Django group named by its code)."""

from django.db import migrations


def forward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="cadre")


class Migration(migrations.Migration):
    dependencies = [("team", "0002_commerce_courses_become_trainings"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
