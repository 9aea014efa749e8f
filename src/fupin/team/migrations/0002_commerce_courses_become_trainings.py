"""The e-commerce courses and trainees of the commerce app become trainings (topic e-commerce) and attendance of
this app: one attendance model for every kind of training (issue 16). Ids are kept, so links and URLs stay."""

from django.core.management.color import no_style
from django.db import migrations


def _reset_sequences(apps, schema_editor):
    models = [apps.get_model("team", "Training"), apps.get_model("team", "Attendance")]
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO team_training (id, title, organiser, region_id, topic, mode, starts_on, hours) "
            "SELECT id, title, organiser, region_id, 'ecommerce', 'offline', starts_on, hours FROM commerce_course")
        cursor.execute(
            "INSERT INTO team_attendance (id, training_id, village_id, name, id_number, member_id, cadre_id, level, "
            "outcome, certificate) SELECT id, course_id, village_id, name, id_number, member_id, NULL, level, outcome, "
            "'' FROM commerce_trainee")
    _reset_sequences(apps, schema_editor)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO commerce_course (id, title, organiser, region_id, starts_on, hours) "
            "SELECT id, title, organiser, region_id, starts_on, hours FROM team_training WHERE topic = 'ecommerce'")
        cursor.execute(
            "INSERT INTO commerce_trainee (id, course_id, village_id, name, id_number, member_id, level, outcome) "
            "SELECT a.id, a.training_id, a.village_id, a.name, a.id_number, a.member_id, a.level, a.outcome "
            "FROM team_attendance a JOIN team_training t ON t.id = a.training_id WHERE t.topic = 'ecommerce'")
        cursor.execute("DELETE FROM team_attendance")
        cursor.execute("DELETE FROM team_training")


class Migration(migrations.Migration):
    dependencies = [("team", "0001_initial"), ("commerce", "0003_role_groups")]

    operations = [migrations.RunPython(forward, backward)]
