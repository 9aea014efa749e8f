"""The e-commerce service stations that connectivity kept as facilities (type ``ecommerce``) become commerce
stations, their tier given by the level of their region (county → centre, township → station, village → point).
Set-based: one INSERT … SELECT and one DELETE. Reversible."""

from django.db import migrations

MOVED = "type = 'ecommerce' AND length(region_id) IN (6, 9, 12)"


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "INSERT INTO commerce_station (tier, region_id, name, operator, purchasing, bill_payment, parcels, "
            "info_service, opened_on, closed_on, source) "
            "SELECT CASE length(region_id) WHEN 6 THEN 'county' WHEN 9 THEN 'township' ELSE 'village' END, region_id, "
            "CASE WHEN name = '' THEN '电商服务站' ELSE name END, '', %s, %s, %s, %s, "
            "CASE WHEN closed_on IS NOT NULL AND opened_on >= closed_on THEN NULL ELSE opened_on END, closed_on, "
            f"CASE WHEN source = '' THEN 'connectivity' ELSE source END FROM connectivity_facility WHERE {MOVED} "
            "ORDER BY id",
            [False, False, False, False],
        )
        cur.execute(f"DELETE FROM connectivity_facility WHERE {MOVED}")


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "INSERT INTO connectivity_facility (type, region_id, name, opened_on, closed_on, source) "
            "SELECT 'ecommerce', region_id, name, opened_on, closed_on, source FROM commerce_station ORDER BY id"
        )
        cur.execute("DELETE FROM commerce_station")


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0001_initial"),
        ("connectivity", "0003_status_fiber_village_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
