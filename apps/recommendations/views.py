"""Recommendation endpoints: thin views over selectors, services and scoring."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import Movie
from apps.core.cache import cached
from apps.core.fastpath import UserBytesMixin, UserSlot
from apps.core.permissions import OwnedResourceMixin
from apps.recommendations import answers, scoring, selectors, services
from apps.recommendations.engines import ENGINE_NAMES
from apps.recommendations.scoring import STORED_PER_ENGINE
from apps.recommendations.selectors import POPULAR_NAMESPACE, POPULAR_TTL
from apps.recommendations.serializers import (
    RecommendationClickSerializer,
    RecommendationFeedbackInputSerializer,
    RecommendationFeedbackSerializer,
    RecommendationItemSerializer,
    RecommendationLimitQuerySerializer,
    RecommendationListQuerySerializer,
    RecommendationMovieItemSerializer,
)

MOVIE_NAMESPACE = "recs:movie"
MOVIE_TTL = 60 * 60

ENGINE_PARAMETER = OpenApiParameter(
    "engine",
    str,
    enum=list(ENGINE_NAMES),
    description="Which engine's list (default: the user's default list, the hybrid unless an "
    "experiment arm sets another).",
)
LIMIT_PARAMETER = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": STORED_PER_ENGINE},
    description=f"How many items, 1 to {STORED_PER_ENGINE} (default 20); more is a 400.",
)


# A query serializer's answer to a request without parameters, per class (see _parse).
_DEFAULTS: dict[type, dict] = {}


def _parse(serializer_class, request) -> dict:
    """The request's validated query parameters. A request without any (most of them) gets
    the serializer's defaults, validated once per serializer class: a serializer instance
    deep-copies its declared fields, a tenth of the CPU of a cached me/recommendations/ answer
    (issue 16)."""
    if not request.query_params:
        defaults = _DEFAULTS.get(serializer_class)
        if defaults is None:
            defaults = _DEFAULTS[serializer_class] = _validated(serializer_class, {})
        return dict(defaults)
    return _validated(serializer_class, request.query_params)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _unstored_items(scored: list[scoring.Scored], engine: str) -> list:
    """Items that have no stored row: their movies rendered in two queries."""
    movies = selectors.movies_for_summary(movie_ids=[s.movie_id for s in scored])
    items = [
        {"movie": movies[s.movie_id], "score": s.score, "engine": engine, "reason": s.reason}
        for s in scored
        if s.movie_id in movies
    ]
    return list(RecommendationMovieItemSerializer(items, many=True).data)


class MyRecommendationListView(UserBytesMixin, OwnedResourceMixin, APIView):
    """The signed-in user's recommendations, best first.

    The answer is cached as the bytes sent (per user, engine and limit, for 2 h) and counts
    only while the user's lists, the active models and the running experiments are the ones
    it was made from. A change of the user's signals drops it
    (services.recommendations_mark_stale). A hit is served before DRF (apps.core.fastpath
    ``UserBytesMixin``): the token's checks, those versions and the bytes in one cache round
    trip; the impressions are recorded from what was stored with the bytes.
    """

    def user_slot(self, request, user_id: int) -> UserSlot:
        query = _parse(RecommendationListQuerySerializer, request)
        return answers.served_slot(user_id=user_id, engine=query["engine"], limit=query["limit"])

    def user_answer_served(self, request, meta) -> None:
        engine, arm, movie_ids = meta
        services.impressions_record(
            user_id=request.user.id,
            engine=engine,
            arm=arm,
            count=len(movie_ids),
            movie_ids=movie_ids,
        )

    @extend_schema(
        parameters=[ENGINE_PARAMETER, LIMIT_PARAMETER],
        responses=RecommendationItemSerializer(many=True),
    )
    def get(self, request):
        query = _parse(RecommendationListQuerySerializer, request)

        def produce() -> tuple[bytes, tuple]:
            rows, engine, arm = services.recommendations_served(
                user=request.user, engine=query["engine"], limit=query["limit"]
            )
            return answers.served_answer(rows, engine=engine, arm=arm)

        return self.user_answer(request, produce)


class RecommendationOwnedMixin(OwnedResourceMixin):
    """Recommendation ids resolve among the user's own rows only: another's id is a 404."""

    filter_backends: list = []
    lookup_url_kwarg = "recommendation_id"

    def owned_queryset(self, *, user):
        return selectors.own_recommendations(user=user)


class RecommendationClickView(RecommendationOwnedMixin, GenericAPIView):
    """Record that the user opened one of their recommendations (a second click is a no-op)."""

    serializer_class = RecommendationClickSerializer

    @extend_schema(request=None, responses=RecommendationClickSerializer)
    def post(self, request, recommendation_id: int):
        recommendation = services.recommendation_click(recommendation=self.get_object())
        response = Response(RecommendationClickSerializer(recommendation).data)
        response.message = "Click recorded."
        return response


class RecommendationFeedbackView(RecommendationOwnedMixin, GenericAPIView):
    """Feedback on one recommendation; not_interested and already_seen dismiss it for good."""

    serializer_class = RecommendationFeedbackInputSerializer

    @extend_schema(
        request=RecommendationFeedbackInputSerializer,
        responses={
            201: RecommendationFeedbackSerializer,
            200: RecommendationFeedbackSerializer,
        },
    )
    def post(self, request, recommendation_id: int):
        recommendation = self.get_object()
        serializer = RecommendationFeedbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback, created = services.recommendation_feedback_give(
            recommendation=recommendation,
            feedback_type=serializer.validated_data["type"],
            comment=serializer.validated_data["comment"],
        )
        response = Response(
            RecommendationFeedbackSerializer(feedback).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response.message = "Feedback recorded." if created else "Feedback already recorded."
        return response


class MovieRecommendationListView(APIView):
    """People who liked this movie also liked: never the movie itself, never inactive ones."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LIMIT_PARAMETER], responses=RecommendationMovieItemSerializer(many=True)
    )
    def get(self, request, movie_id: int):
        query = _parse(RecommendationLimitQuerySerializer, request)
        movie = get_object_or_404(Movie.objects.only("id", "title"), pk=movie_id, is_active=True)

        def produce() -> list:
            scored = scoring.movie_neighbours_compute(
                movie_id=movie.id, title=movie.title, limit=query["limit"]
            )
            return _unstored_items(scored, "collaborative")

        data = cached(
            MOVIE_NAMESPACE,
            (movie.id, *services.user_cache_parts(engine="collaborative", limit=query["limit"])),
            MOVIE_TTL,
            produce,
        )
        return Response(data)


class TrendingRecommendationListView(APIView):
    """What anyone, signed in or not, is recommended without a history: trending now."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[LIMIT_PARAMETER], responses=RecommendationMovieItemSerializer(many=True)
    )
    def get(self, request):
        query = _parse(RecommendationLimitQuerySerializer, request)

        def produce() -> list:
            scored = scoring.anonymous_list_compute(limit=query["limit"])
            return _unstored_items(scored, "trending")

        data = cached(
            POPULAR_NAMESPACE,
            ("anonymous", *services.user_cache_parts(engine="trending", limit=query["limit"])),
            POPULAR_TTL,
            produce,
        )
        return Response(data)
