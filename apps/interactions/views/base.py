"""What the views of this app share: id bounds, authentication and ownership, each in one place."""

from django.db.models import QuerySet
from rest_framework.permissions import IsAuthenticated

from apps.core.exceptions import NotFound

MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdMixin:
    """A path id beyond a database bigint is a 404 (PostgreSQL would raise an error on it)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, value in kwargs.items():
            if name.endswith("_id") and isinstance(value, int) and value > MAX_DATABASE_ID:
                raise NotFound()


class OwnedQuerysetMixin(DatabaseIdMixin):
    """Per-user resources: the queryset is the request user's rows and nothing else.

    Subclasses implement ``owned_queryset(user=...)``; ``get_queryset`` (and so ``get_object``,
    which answers 404 for anything outside it) always passes the request user, so another
    user's object is indistinguishable from a missing one and anonymous clients get 401.
    """

    permission_classes = [IsAuthenticated]

    def owned_queryset(self, *, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return self.owned_queryset(user=None).none()
        return self.owned_queryset(user=self.request.user)
