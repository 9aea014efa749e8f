"""Target and TargetRevision moved to the targets app (targets 0001); state only, the tables stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("targets", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="task", name="targets",
                    field=models.ManyToManyField(blank=True, related_name="tasks", to="targets.target",
                                                 verbose_name="linked targets"),
                ),
                migrations.DeleteModel(name="TargetRevision"),
                migrations.DeleteModel(name="Target"),
            ],
            database_operations=[],
        ),
    ]
