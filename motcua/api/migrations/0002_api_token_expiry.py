"""Every API token expires: tokens made before this migration expire 30 days after it
(MOTCUA_API_TOKEN_DAYS' default), new ones as motcua.api.auth.token_create says."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def _in_30_days() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=30)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=_in_30_days, verbose_name="hết hạn lúc"),
            preserve_default=False,
        ),
    ]
