"""Every unit's province from its path and its structure's roll-up (``tinhuy.org.provinces``)."""

from django.db import migrations

# The top of the unit's tree (its path starts with the top's); in a structure of many provinces
# (roll_up_by_part) the unit right below the top, the top being its own: ``provinces.province_of``
# in SQL that SQLite and PostgreSQL both run, one statement for the table.
FILL = """
UPDATE org_unit SET province_id = (
    SELECT CASE WHEN s.roll_up_by_part AND org_unit.id <> r.id THEN (
        SELECT p.id FROM org_unit p
        WHERE p.parent_id = r.id AND org_unit.path LIKE p.path || '%'
    ) ELSE r.id END
    FROM org_unit r JOIN org_structure s ON s.id = r.structure_id
    WHERE r.parent_id IS NULL AND org_unit.path LIKE r.path || '%'
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0006_unit_province'),
    ]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
