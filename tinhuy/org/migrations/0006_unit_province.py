"""Every unit's province, nullable until filled (0007) and made required (0008): three steps, so
that PostgreSQL never alters a table with the fill's checks still pending."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0005_data_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='unit',
            name='province',
            field=models.ForeignKey(blank=True, null=True, db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
    ]
