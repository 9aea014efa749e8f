"""PovertyLine moved to the registry (registry 0010); state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0003_step_origin_alter_case_kind_alter_notice_kind"),
        ("registry", "0010_povertyline_from_lifecycle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PovertyLine")],
            database_operations=[],
        ),
    ]
