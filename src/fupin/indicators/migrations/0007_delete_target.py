"""The indicator targets now live in the one targets table (targets 0002 merged them, fixing the school and
e-commerce rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("indicators", "0006_populations_reporting_reconstructed"),
                    ("targets", "0002_merge_old_target_tables")]
    operations = [migrations.DeleteModel(name="Target")]
