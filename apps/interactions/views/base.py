"""What the views of this app share: id bounds, authentication and ownership, each in one place."""

from django.db.models import QuerySet
from rest_framework.permissions import IsAuthenticated


class OwnedQuerysetMixin:
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
