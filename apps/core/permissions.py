"""Who may call a view, and whose rows it sees: the one module for permissions and ownership.

- **Who may call.** DRF's default permission is ``IsAuthenticated`` (settings ``REST_FRAMEWORK``),
  a safety net only: every view under ``/api/`` declares its own ``permission_classes``, and
  apps/core/tests/test_permissions.py walks the URLconf and fails for any that does not (it also
  pins which routes answer anonymous clients). A public view says ``AllowAny``
  (``IsAuthenticatedOrReadOnly`` where anyone reads and users write); a view of the caller's own
  resources subclasses ``OwnedResourceMixin``, which declares ``IsAuthenticated``.
- **Whose rows.** ``OwnedResourceMixin.get_queryset`` is ``owned_queryset(user=request.user)``,
  and DRF's ``get_object`` looks URL ids up in it, so another user's object answers 404 exactly
  like a missing one; the services the view hands that object to do not check ownership again.
  Views of the caller's rows that take no id (my stats, my rating of a movie) pass
  ``request.user`` to their selector or service, so there is nothing else to address.
"""

from django.db.models import QuerySet
from rest_framework.permissions import IsAdminUser, IsAuthenticated


class IsStaff(IsAdminUser):
    """Staff only (``is_staff``): the analytics API. An anonymous client gets 401 (the JWT
    authentication asks for credentials), a signed-in user who is not staff 403."""


class OwnedResourceMixin:
    # For views of the caller's own resources: account, favorites, ratings, history, lists and
    # their items, recommendations and feedback on them; only the logged-in owner reaches them.
    # Views that address rows by an id in the URL implement owned_queryset(user=...): that
    # user's rows and nothing else (usually one selector taking ``user``). A comment, not a
    # docstring: drf-spectacular would publish a docstring as every such operation's description.

    permission_classes = [IsAuthenticated]

    def owned_queryset(self, *, user) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} addresses no rows by id")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return self.owned_queryset(user=None).none()
        return self.owned_queryset(user=self.request.user)
