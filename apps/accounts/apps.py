from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the OpenAPI extension for the authentication class.
        from django.contrib.auth import get_user_model

        # emails registers the outbox renderers of the account emails.
        from apps.accounts import authentication, emails, schema  # noqa: F401

        authentication.connect(get_user_model())
