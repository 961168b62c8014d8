"""Every unit has its province (filled by 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0007_fill_unit_province'),
    ]

    operations = [
        migrations.AlterField(
            model_name='unit',
            name='province',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit'),
        ),
    ]
