"""Courses and trainees now live in the team app (team.Training, team.Attendance; see team 0002)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commerce', '0003_role_groups'),
        ('team', '0002_commerce_courses_become_trainings'),  # the rows are copied there first
    ]

    operations = [
        migrations.RemoveField(
            model_name='trainee',
            name='course',
        ),
        migrations.RemoveField(
            model_name='trainee',
            name='member',
        ),
        migrations.RemoveField(
            model_name='trainee',
            name='village',
        ),
        migrations.DeleteModel(
            name='Course',
        ),
        migrations.DeleteModel(
            name='Trainee',
        ),
    ]
