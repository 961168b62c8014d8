"""API tokens get an expiry (the tokens made before it: 90 days after they were made) and
calendar links a generation per person (``FeedKey``)."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EXISTING_TOKEN_DAYS = 90


def expire_existing(apps, schema_editor):  # noqa: ANN001, ANN201 - the migration signature
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + datetime.timedelta(days=EXISTING_TOKEN_DAYS)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="hết hạn lúc"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="hết hạn lúc"),
        ),
        migrations.CreateModel(
            name="FeedKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "generation",
                    models.PositiveIntegerField(default=0, verbose_name="thế hệ đường dẫn lịch"),
                ),
                (
                    "revoked_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="thu hồi lúc"),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="feed_key",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tài khoản",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa đường dẫn lịch",
                "verbose_name_plural": "khóa đường dẫn lịch",
            },
        ),
    ]
