"""Target and TargetRevision move from projects to this app, so that connectivity (below projects) can read them.
State only: the tables keep their names, projects_target and projects_targetrevision."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("projects", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Target",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("indicator", models.CharField(blank=True, max_length=40, verbose_name="indicator")),
                        ("value", models.DecimalField(decimal_places=4, max_digits=18, verbose_name="value")),
                        ("unit", models.CharField(choices=[("percent", "percent"), ("count", "count"),
                                                           ("yuan", "yuan")], max_length=8, verbose_name="unit")),
                        ("strict", models.BooleanField(default=False, verbose_name="strictly above")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("scope_prefix", models.CharField(blank=True, help_text="empty: the whole country",
                                                          max_length=12, verbose_name="region code prefix")),
                        ("area_type", models.CharField(
                            blank=True, max_length=40, verbose_name="area type",
                            help_text="a region flag (三区三州, relocation area …) or a kind of village; empty: all")),
                        ("source", models.CharField(max_length=200, verbose_name="source clause")),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now,
                                                            verbose_name="updated at")),
                    ],
                    options={"verbose_name": "target", "verbose_name_plural": "targets", "ordering": ["year", "code"],
                             "db_table": "projects_target"},
                ),
                migrations.CreateModel(
                    name="TargetRevision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("before", models.JSONField(verbose_name="before")),
                        ("after", models.JSONField(verbose_name="after")),
                        ("reason", models.CharField(max_length=300, verbose_name="reason")),
                        ("username", models.CharField(max_length=150, verbose_name="by")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                        ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="revisions", to="targets.target")),
                    ],
                    options={"verbose_name": "target revision", "verbose_name_plural": "target revisions",
                             "ordering": ["-at", "-id"], "db_table": "projects_targetrevision"},
                ),
            ],
            database_operations=[],
        ),
    ]
