"""Default notification preferences for every user that existed before this app (new users get
theirs with the account)."""

from django.db import migrations


def preferences_default(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    NotificationPreference = apps.get_model("notifications", "NotificationPreference")
    missing = User.objects.filter(notification_preference__isnull=True).values_list("pk", flat=True)
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=user_id) for user_id in missing.iterator()],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(preferences_default, migrations.RunPython.noop)]
