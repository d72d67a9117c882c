from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_identity_keys")]

    operations = [
        migrations.AlterField(
            model_name="user", name="username_key", field=models.TextField(editable=False)
        ),
        migrations.AlterField(
            model_name="user", name="username_skeleton", field=models.TextField(editable=False)
        ),
        migrations.AlterField(
            model_name="user", name="email_key", field=models.TextField(editable=False)
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("email_key",), name="unique_user_email_key"),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("username_key",), name="unique_user_username_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("username_skeleton",), name="unique_user_username_skeleton"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("username_key", ""), _negated=True),
                    models.Q(("username_skeleton", ""), _negated=True),
                ),
                name="user_username_keys_set",
            ),
        ),
    ]
