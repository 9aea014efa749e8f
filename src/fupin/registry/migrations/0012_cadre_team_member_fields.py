"""registry.Cadre becomes the person record of every team member (issue 16): ID number, kind, serving dates and
the user account a cadre signs in with; a partial index for households without a cadre."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0011_importjob_random_token'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='cadre',
            name='id_number',
            field=models.CharField(blank=True, db_default='', db_index=True, max_length=18, verbose_name='ID number'),
        ),
        migrations.AddField(
            model_name='cadre',
            name='kind',
            field=models.CharField(choices=[('first_secretary', 'First secretary (第一书记)'), ('work_team', 'Village work team member (驻村工作队员)'), ('graduate_official', 'College-graduate village official (大学生村官)'), ('sanzhi_yifu', 'Three supports and one assistance (三支一扶)'), ('tech_envoy', 'Science and technology envoy (科技特派员)'), ('western_volunteer', 'Western region volunteer (西部计划志愿者)'), ('village_committee', 'Village committee member (村两委)'), ('rich_leader', 'Leader in getting rich (致富带头人)'), ('network_leader', 'Network poverty-alleviation leader (网络扶贫带头人)'), ('other', 'Other helping cadre (其他帮扶干部)')], db_default='other', max_length=20, verbose_name='team member type'),
        ),
        migrations.AddField(
            model_name='cadre',
            name='start_date',
            field=models.DateField(blank=True, null=True, verbose_name='serving since'),
        ),
        migrations.AddField(
            model_name='cadre',
            name='end_date',
            field=models.DateField(blank=True, null=True, verbose_name='serving until'),
        ),
        migrations.AddField(
            model_name='cadre',
            name='user',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cadre', to=settings.AUTH_USER_MODEL, verbose_name='user account'),
        ),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(condition=models.Q(('cadre__isnull', True)), fields=['village', 'id'], name='registry_household_no_cadre'),
        ),
    ]
