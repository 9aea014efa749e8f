import secrets

from django.db import migrations, models

import fupin.registry.models


def fill_tokens(apps, schema_editor):
    ImportJob = apps.get_model("registry", "ImportJob")
    for job in ImportJob.objects.filter(token__isnull=True).only("pk"):
        ImportJob.objects.filter(pk=job.pk).update(token=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [("registry", "0010_povertyline_from_lifecycle")]

    operations = [
        migrations.AddField(model_name="importjob", name="token",
                            field=models.CharField(max_length=43, null=True, editable=False, verbose_name="token")),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(model_name="importjob", name="token",
                              field=models.CharField(default=fupin.registry.models.new_job_token, editable=False,
                                                     max_length=43, unique=True, verbose_name="token")),
    ]
