"""The province on every table that grows with members and conferences, nullable until filled
(0010) and made required (0011)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('study', '0008_kept_part'),
        ('org', '0008_unit_province_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='conference',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='agendasegment',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='bridgepoint',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='conferencereport',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='member',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='invitee',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='attendancetally',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
        migrations.AddField(
            model_name='membertally',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
    ]
