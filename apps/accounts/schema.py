"""OpenAPI: document AccountJWTAuthentication as the bearer JWT scheme it is."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class AccountJWTScheme(SimpleJWTScheme):
    target_class = "apps.accounts.authentication.AccountJWTAuthentication"
