"""An import's history is kept once per block of households (``HistoryChunk``, Parquet) instead of one JSON
snapshot per household: versions may point to a chunk instead of storing the snapshot, and the households an
import registered have no version row at all (their chunk is their first version). The snapshot column
keeps its name; indexes that only duplicated the (household, valid_from, id) index are dropped."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_version_lz4"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="HistoryChunk",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                ("valid_from", models.DateField(verbose_name="valid from")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="by")),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="reason")),
                ("first_household", models.BigIntegerField(blank=True, null=True)),
                ("last_household", models.BigIntegerField(blank=True, null=True)),
                ("actor", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL,
                )),
                ("households", models.BinaryField()),
                ("members", models.BinaryField()),
                ("incomes", models.BinaryField()),
            ],
            options={
                "verbose_name": "imported dossiers",
                "verbose_name_plural": "imported dossiers",
                "indexes": [models.Index(fields=["first_household", "last_household"], name="historychunk_range_idx")],
            },
        ),
        migrations.RenameField(model_name="householdversion", old_name="snapshot", new_name="stored_snapshot"),
        migrations.AlterField(
            model_name="householdversion",
            name="stored_snapshot",
            field=models.JSONField(
                blank=True, db_column="snapshot", null=True, verbose_name="dossier after the change"
            ),
        ),
        migrations.AddField(
            model_name="householdversion",
            name="chunk",
            field=models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registry.historychunk",
            ),
        ),
        migrations.AlterField(
            model_name="householdversion",
            name="household",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="versions",
                to="registry.household",
            ),
        ),
        migrations.AlterField(
            model_name="householdversion",
            name="valid_from",
            field=models.DateField(verbose_name="valid from"),
        ),
        migrations.AddConstraint(
            model_name="householdversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("stored_snapshot__isnull", False), ("chunk__isnull", False), _connector="OR"),
                name="version_has_snapshot",
            ),
        ),
    ]
