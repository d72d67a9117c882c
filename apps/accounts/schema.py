"""OpenAPI: document AccountJWTAuthentication as the bearer JWT scheme it is, and the body that
DELETE me/ takes."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema


class AccountJWTScheme(SimpleJWTScheme):
    target_class = "apps.accounts.authentication.AccountJWTAuthentication"


class AccountAutoSchema(AutoSchema):
    """drf-spectacular documents request bodies for POST, PUT and PATCH only; DELETE me/ needs
    the current password in its body, so the schema shows that body too."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
