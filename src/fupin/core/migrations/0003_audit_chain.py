"""The audit log becomes append-only and hash-chained (issue 20 C5). On PostgreSQL a trigger refuses DELETE and
any UPDATE of what a row says; the only updates allowed are sealing a row once (chain_seq, chain_hash from
empty) and the user's deletion clearing user_id (the row keeps the user name)."""

import django.utils.timezone
from django.db import migrations, models

TRIGGER = """
CREATE OR REPLACE FUNCTION fupin_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'the audit log is append-only';
  END IF;
  IF (NEW.id, NEW.at, NEW.username, NEW.action, NEW.object_type, NEW.object_id, NEW.region_code, NEW.summary,
      NEW.detail::text, NEW.ip, NEW.channel)
     IS DISTINCT FROM
     (OLD.id, OLD.at, OLD.username, OLD.action, OLD.object_type, OLD.object_id, OLD.region_code, OLD.summary,
      OLD.detail::text, OLD.ip, OLD.channel)
     OR (NEW.user_id IS DISTINCT FROM OLD.user_id AND NEW.user_id IS NOT NULL)
     OR (OLD.chain_seq IS NOT NULL AND (NEW.chain_seq, NEW.chain_hash) IS DISTINCT FROM (OLD.chain_seq, OLD.chain_hash))
  THEN
    RAISE EXCEPTION 'the audit log is append-only';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS fupin_audit_append_only ON core_auditevent;
CREATE TRIGGER fupin_audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION fupin_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS fupin_audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS fupin_audit_append_only();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_roles_and_codelists"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="chain hash"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True, verbose_name="chain position"),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                ("chain_seq", models.BigIntegerField(verbose_name="chain position")),
                ("chain_hash", models.CharField(max_length=64, verbose_name="chain hash")),
            ],
            options={"verbose_name": "audit seal", "verbose_name_plural": "audit seals"},
        ),
        migrations.RunPython(_on_postgres(TRIGGER), _on_postgres(DROP)),
    ]
