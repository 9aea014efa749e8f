"""PovertyLine moves from lifecycle to the registry (which compares incomes with it), so that the registry no
longer imports lifecycle. State only: the table keeps its name, lifecycle_povertyline."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0009_member_byte_collation"),
        ("lifecycle", "0003_step_origin_alter_case_kind_alter_notice_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PovertyLine",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("standard", models.CharField(choices=[("national", "national"), ("provincial", "provincial"),
                                                               ("monitoring", "monitoring income line")],
                                                      max_length=10, verbose_name="standard")),
                        ("province", models.CharField(blank=True, max_length=2, verbose_name="province code")),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=10,
                                                       verbose_name="yuan per person per year")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                    ],
                    options={
                        "verbose_name": "poverty line",
                        "verbose_name_plural": "poverty lines",
                        "db_table": "lifecycle_povertyline",
                        "ordering": ["-year", "standard", "province"],
                        "constraints": [
                            models.UniqueConstraint(fields=("year", "standard", "province"), name="povertyline_unique"),
                            models.CheckConstraint(condition=models.Q(("amount__gt", 0)),
                                                   name="povertyline_amount_positive"),
                            models.CheckConstraint(
                                condition=models.Q(models.Q(("province", ""), ("standard", "national")),
                                                   models.Q(models.Q(("standard", "national"), _negated=True),
                                                            models.Q(("province", ""), _negated=True)),
                                                   _connector="OR"),
                                name="povertyline_province_iff_not_national"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
