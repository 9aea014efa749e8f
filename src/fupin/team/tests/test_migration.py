"""Migration team 0002: the commerce app's courses and trainees become trainings (topic e-commerce) and attendance,
ids kept; commerce 0004 then drops its tables. Run backwards to the state before, filled, and forwards again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("commerce", "0003_role_groups"), ("team", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_courses_and_trainees_become_trainings_and_attendance(tree):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO commerce_course (id, title, organiser, region_id, starts_on, hours) "
                        "VALUES (7, '电商实操', '泸水市商务局', '533301', '2021-04-01', 16)")
            cur.execute("INSERT INTO commerce_trainee (id, course_id, village_id, name, id_number, member_id, level, "
                        "outcome) VALUES (11, 7, '533301205201', '张三', '', NULL, 'senior', '开设网店')")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    from fupin.team.models import Attendance, Training

    t = Training.objects.get(pk=7)
    assert (t.title, t.topic, t.region_id, float(t.hours)) == ("电商实操", "ecommerce", "533301", 16.0)
    a = Attendance.objects.get(pk=11)
    assert (a.training_id, a.village_id, a.level, a.outcome) == (7, "533301205201", "senior", "开设网店")
    new = Training.objects.create(title="x", organiser="y", region_id="533301", starts_on="2022-01-01", hours=1)
    assert new.pk > 7  # the sequence continues after the copied ids
    assert "commerce_course" not in connection.introspection.table_names()
