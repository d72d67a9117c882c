"""GET and POST episodes/{id}/reviews/: anyone reads, a logged-in user writes their one review.

Reviews are public, so this is not an owned resource: a POST writes the caller's review of the
episode (the service keys it by request.user and the episode), and no URL names a review."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from apps.interactions import services
from apps.interactions.models import EpisodeReview
from apps.interactions.pagination import EpisodeReviewPagination
from apps.interactions.selectors import (
    episode_get_visible,
    episode_review_list,
    episode_review_summary,
)
from apps.interactions.serializers import EpisodeReviewInputSerializer, EpisodeReviewSerializer


@extend_schema(tags=["episode reviews"])
class EpisodeReviewCollectionView(generics.ListAPIView):
    serializer_class = EpisodeReviewSerializer
    pagination_class = EpisodeReviewPagination
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EpisodeReview.objects.none()
        return episode_review_list(episode_id=self.kwargs["episode_id"])

    @extend_schema(summary="An episode's reviews, newest first, with the average rating")
    def get(self, request, episode_id: int) -> Response:
        episode = episode_get_visible(episode_id=episode_id)
        self.paginator.summary = episode_review_summary(episode_id=episode.pk)
        return super().get(request, episode_id=episode_id)

    @extend_schema(
        summary="Review an episode: rating 1 to 10, optional text (a second POST updates it)",
        request=EpisodeReviewInputSerializer,
        responses={
            201: OpenApiResponse(EpisodeReviewSerializer, description="Created."),
            200: OpenApiResponse(EpisodeReviewSerializer, description="Your review, updated."),
        },
    )
    def post(self, request, episode_id: int) -> Response:
        serializer = EpisodeReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review, created = services.episode_review_submit(
            user=request.user, episode_id=episode_id, **serializer.validated_data
        )
        response = Response(
            EpisodeReviewSerializer(review).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response.message = "Review saved." if created else "Review updated."
        return response
