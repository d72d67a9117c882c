from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers the OpenAPI extension for the authentication class.
        from django.contrib.auth import get_user_model

        from apps.accounts import authentication, schema  # noqa: F401

        authentication.connect(get_user_model())
