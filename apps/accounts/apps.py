from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the OpenAPI extension for the authentication class.
        # Registers the outbox renderers of the account emails.
        from apps.accounts import (
            emails,  # noqa: F401
            schema,  # noqa: F401
        )
