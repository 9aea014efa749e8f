"""The coverage targets now live in the one targets table (targets 0002 merged them, fixing the e-commerce rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("connectivity", "0003_status_fiber_village_index"), ("targets", "0002_merge_old_target_tables")]
    operations = [migrations.DeleteModel(name="Target")]
