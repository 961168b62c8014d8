"""Every row's province from the unit, member or conference it belongs to."""

from django.db import migrations


def _from(table: str, parent: str, key: str) -> str:
    return (
        f"UPDATE {table} SET province_id = "  # noqa: S608 - table names of this migration
        f"(SELECT x.province_id FROM {parent} x WHERE x.id = {table}.{key})"
    )


# One statement per table, parents first: a conference before its rows, a member before its
# attendance. A member tally names its cell by path only (paths are unique: they are ids).
FILL = [
    _from("study_conference", "org_unit", "host_id"),
    _from("study_agendasegment", "study_conference", "conference_id"),
    _from("study_conferencereport", "study_conference", "conference_id"),
    _from("study_invitee", "study_conference", "conference_id"),
    _from("study_attendancetally", "study_conference", "conference_id"),
    _from("study_bridgepoint", "org_unit", "unit_id"),
    _from("study_member", "org_unit", "cell_id"),
    _from("study_attendance", "study_member", "member_id"),
    "UPDATE study_membertally SET province_id = "
    "(SELECT u.province_id FROM org_unit u WHERE u.path = study_membertally.cell_path)",
]


class Migration(migrations.Migration):

    dependencies = [
        ('study', '0009_province'),
    ]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
