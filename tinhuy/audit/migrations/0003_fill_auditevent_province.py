"""Every event's province from its unit (append-only for the application, not for a migration)."""

from django.db import migrations

FILL = (
    "UPDATE audit_auditevent SET province_id = "
    "(SELECT u.province_id FROM org_unit u WHERE u.id = audit_auditevent.unit_id) "
    "WHERE unit_id IS NOT NULL"
)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_auditevent_province'),
    ]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
