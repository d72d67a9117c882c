"""People: the popular list and a person's page with their known-for movies."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.selectors import person_detail_get, person_list_popular
from apps.catalog.serializers import CatalogPersonDetailSerializer, CatalogPersonSummarySerializer
from apps.catalog.views.lists import CachedPageMixin


class PersonPopularView(CachedPageMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CatalogPersonSummarySerializer

    list_name = "people_popular"

    def list_rows(self, name: str):
        return person_list_popular()


class PersonDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogPersonDetailSerializer, operation_id="person_detail")
    def get(self, request: Request, person_id: int):
        person = person_detail_get(person_id=person_id)
        return Response(CatalogPersonDetailSerializer(person).data)
