import datetime as dt

from django.db import migrations, models


def mark_reconstructed(apps, schema_editor):
    """Periods last refreshed more than a day after their end were computed from later data."""
    Period = apps.get_model("indicators", "Period")
    for p in Period.objects.filter(refreshed_at__isnull=False):
        if p.refreshed_at.date() > p.ends_on + dt.timedelta(days=1):
            p.reconstructed = True
            p.save(update_fields=["reconstructed"])


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_region_index")]

    operations = [
        # The household facts gain columns: drop them, the next refresh of each open period rebuilds them in full.
        migrations.RunSQL("DELETE FROM indicators_householdfact", migrations.RunSQL.noop),
        migrations.AddField(model_name="householdfact", name="registered", field=models.SmallIntegerField(default=1)),
        migrations.AddField(model_name="householdfact", name="exited_before",
                            field=models.SmallIntegerField(default=0)),
        migrations.AddField(model_name="householdfact", name="all_met", field=models.SmallIntegerField(default=0)),
        migrations.AlterField(model_name="householdfact", name="monitored",
                              field=models.CharField(max_length=2, null=True)),
        migrations.AddField(model_name="indicatorvalue", name="expected", field=models.PositiveIntegerField(
            blank=True, null=True, verbose_name="areas expected to report")),
        migrations.AddField(model_name="indicatorvalue", name="reporting", field=models.PositiveIntegerField(
            blank=True, null=True, verbose_name="areas reporting")),
        migrations.AddField(model_name="period", name="reconstructed",
                            field=models.BooleanField(default=False, verbose_name="reconstructed")),
        migrations.RunPython(mark_reconstructed, migrations.RunPython.noop),
    ]
