from django.db import migrations


def forwards(apps, schema_editor):
    from fupin.core.codes import load_file
    from fupin.core.roles import Role

    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    CodeItem = apps.get_model("core", "CodeItem")
    for list_code, items in load_file().items():
        for sort, item in enumerate(items):
            CodeItem.objects.update_or_create(
                list_code=list_code, code=item["code"],
                defaults={"name": item["name"], "name_en": item["name_en"], "sort": sort},
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
