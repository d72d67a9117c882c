"""People: the popular list (a person's page is the tmdb app's, apps/tmdb/views.py)."""

from rest_framework import generics
from rest_framework.permissions import AllowAny

from apps.catalog.selectors import person_list_popular
from apps.catalog.serializers import CatalogPersonSummarySerializer
from apps.catalog.views.lists import CachedPageMixin


class PersonPopularView(CachedPageMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CatalogPersonSummarySerializer

    list_name = "people_popular"

    def list_rows(self, name: str):
        return person_list_popular()


# people/{id}/ is the tmdb app's (apps/tmdb/views.py): it may fetch the person's details.
