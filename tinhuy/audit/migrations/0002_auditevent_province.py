"""An event's province: its unit's; none for an event without a unit (filled by 0003)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        ('org', '0008_unit_province_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
    ]
