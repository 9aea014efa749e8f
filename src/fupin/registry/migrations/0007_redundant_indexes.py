"""Indexes that only cost writes: the LIKE twins of code columns (compared for equality only), the plain
ID-number index (look-ups are of active members: the partial unique index), the income household index
(the unique (household, year) index leads with it)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0001_initial'),
        ('registry', '0006_history_chunks'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='member',
            name='registry_me_id_numb_2dd872_idx',
        ),
        migrations.AlterField(
            model_name='household',
            name='main_cause',
            field=models.CharField(max_length=2, verbose_name='main cause of poverty'),
        ),
        migrations.AlterField(
            model_name='household',
            name='source',
            field=models.CharField(choices=[('entry', 'entered'), ('import', 'imported'), ('demo', 'synthetic demo data')], default='entry', max_length=10, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='household',
            name='status',
            field=models.CharField(max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='income',
            name='household',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='incomes', to='registry.household', verbose_name='household'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['status'], name='household_status_idx'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['main_cause'], name='household_main_cause_idx'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['source'], name='household_source_idx'),
        ),
    ]
