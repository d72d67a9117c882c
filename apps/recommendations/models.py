"""Stored recommendations, feedback on them, and the registry of trained model artifacts.

Seed 002 section 3.2 and 3.3, plus what serving needs: a rank and a reason on each stored row,
dismissals in their own table (so the exclusion read is one indexed lookup), a per-user
freshness counter, and the versions of trained engines with the active one flagged.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EngineName(models.TextChoices):
    HYBRID = "hybrid"
    COLLABORATIVE = "collaborative"
    CONTENT = "content"
    TRENDING = "trending"


class FeedbackType(models.TextChoices):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NOT_INTERESTED = "not_interested"
    ALREADY_SEEN = "already_seen"


DISMISSAL_TYPES = (FeedbackType.NOT_INTERESTED, FeedbackType.ALREADY_SEEN)


class RealField(models.FloatField):
    """A 4-byte float on PostgreSQL (``real``): a score needs 7 digits, not 15."""

    def db_type(self, connection):
        return "real" if connection.vendor == "postgresql" else super().db_type(connection)


class RecommendationReason(models.Model):
    """One reason text ("Because you rated Alien 5 out of 5"), stored once for every row that
    gives it: a row holds a 4-byte id instead of some 45 bytes of text. Texts are few next to
    rows (one per kind of event, movie and rating, whoever the user) and are never deleted."""

    id = models.AutoField(primary_key=True)
    text = models.CharField(max_length=200, unique=True)

    class Meta:
        db_table = "recommendation_reasons"

    def __str__(self) -> str:
        return self.text


class UserRecommendation(models.Model):
    """One movie in one engine's list for one user.

    ``rank`` is the position in the current list (1 first). A row that drops out of the list
    but carries a click or feedback is kept with ``rank`` null, so that history survives
    refreshes; rows without either are deleted when they drop out.
    """

    # No index of its own: the unique (user, movie, algorithm) index leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recommendations",
        db_index=False,
    )
    movie = models.ForeignKey("catalog.Movie", on_delete=models.CASCADE, related_name="+")
    score = RealField(help_text="Confidence in [0, 1], normalised per list")
    algorithm = models.CharField(max_length=50, choices=EngineName.choices)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.ForeignKey(
        RecommendationReason, on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    generated_at = models.DateTimeField(default=timezone.now)
    clicked = models.BooleanField(default=False)
    clicked_at = models.DateTimeField(null=True, blank=True)
    # The experiment arm whose settings made this row (null outside any experiment).
    arm = models.ForeignKey(
        "ExperimentArm",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
    )

    class Meta:
        db_table = "user_recommendations"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "movie", "algorithm"], name="unique_user_movie_algorithm"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0.0, score__lte=1.0), name="check_recommendation_score"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-score"], name="idx_recommendations_user_score"),
            models.Index(fields=["-generated_at"], name="idx_recommendations_generated"),
            models.Index(fields=["algorithm"], name="idx_recommendations_algorithm"),
            models.Index(fields=["clicked", "clicked_at"], name="idx_recommendations_clicked"),
            # The serving read (one user's list) uses the unique index: at most 50 rows a list.
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.algorithm} #{self.rank} {self.movie_id}"


class RecommendationFeedback(models.Model):
    """What a user said about one recommendation. One row per (recommendation, type)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendation_feedback"
    )
    recommendation = models.ForeignKey(
        UserRecommendation, on_delete=models.CASCADE, related_name="feedback"
    )
    feedback_type = models.CharField(max_length=20, choices=FeedbackType.choices)
    comment = models.TextField(blank=True, default="", max_length=1000)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "recommendation_feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "feedback_type"], name="unique_recommendation_feedback"
            )
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_feedback_user"),
            models.Index(fields=["recommendation"], name="idx_feedback_recommendation"),
            models.Index(fields=["feedback_type"], name="idx_feedback_type"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.feedback_type} on {self.recommendation_id}"


class DismissedMovie(models.Model):
    """A movie the user never wants recommended again (not interested, or already seen).

    Kept apart from the feedback rows so that it survives whatever happens to the
    recommendation it was given on, and so the exclusion read is one index range scan.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dismissed_movies"
    )
    movie = models.ForeignKey("catalog.Movie", on_delete=models.CASCADE, related_name="+")
    feedback_type = models.CharField(max_length=20, choices=FeedbackType.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "recommendation_dismissals"
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="unique_dismissed_movie")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} dismissed {self.movie_id}"


class RecommendationState(models.Model):
    """Freshness of one user's stored lists.

    Every interaction change bumps ``change_count``; a refresh records the count it read its
    history at in ``refreshed_count``. The lists are stale while the two differ, which stays
    right when a change lands during a refresh (the refresh records the older count).

    ``refresh_due_at``: since when a background refresh is wanted (the first change since the
    last one was taken; services ``recommendations_refresh_drain`` takes it and clears it).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="recommendation_state",
    )
    change_count = models.PositiveBigIntegerField(default=0)
    refreshed_count = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # When the user last read their recommendations (to the day): training keeps the lists
    # of users seen or active lately only; the others are recomputed when they come back.
    seen_at = models.DateTimeField(null=True, blank=True)
    refresh_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "recommendation_states"
        indexes = [
            models.Index(fields=["seen_at"], name="idx_recommendation_states_seen"),
            # The few users waiting for a refresh, found without reading the others.
            models.Index(
                fields=["refresh_due_at"],
                name="idx_recommendation_states_due",
                condition=models.Q(refresh_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.refreshed_count}/{self.change_count}"

    @property
    def is_stale(self) -> bool:
        return self.refreshed_at is None or self.change_count != self.refreshed_count


class ModelArtifact(models.Model):
    """One trained engine on disk: ``path`` is relative to VAR_DIR/models/.

    At most one version per engine is active; serving loads that one. Training writes the
    file first and activates the row afterwards, in one transaction.
    """

    engine = models.CharField(max_length=30, choices=EngineName.choices)
    version = models.PositiveIntegerField()
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=False)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "recommendation_model_artifacts"
        ordering = ["engine", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["engine", "version"], name="unique_artifact_version"),
            models.UniqueConstraint(
                fields=["engine"], condition=Q(is_active=True), name="unique_active_artifact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engine} v{self.version}{' (active)' if self.is_active else ''}"


class Experiment(models.Model):
    """A named test of engines or blends: its arms split the users by traffic share.

    At most one experiment runs at a time (a partial unique index), so a user's default list
    is decided by at most one arm. Users outside every arm see exactly what they would see
    without the experiment.
    """

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "recommendation_experiments"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_running_experiment"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExperimentArm(models.Model):
    """One arm: its share of all users, and the engine (and hybrid blend) of their list."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(max_length=50)
    share = models.DecimalField(
        max_digits=4, decimal_places=3, help_text="Share of all users, 0.001 to 1"
    )
    engine = models.CharField(max_length=30, choices=EngineName.choices, default="hybrid")
    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Hybrid blend for this arm, e.g. {"collaborative": 1, "sequential": 0.5}; '
        "empty: the trained blend",
    )

    class Meta:
        db_table = "recommendation_experiment_arms"
        ordering = ["experiment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="unique_arm_name"),
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=1), name="check_arm_share"),
        ]

    def __str__(self) -> str:
        return f"{self.experiment.name}/{self.name}"


class RecommendationImpression(models.Model):
    """Items served per day, engine and experiment arm (what click-through is divided by).

    Counted on every answer of ``me/recommendations/``, cached or not, into one of
    ``IMPRESSION_BUCKETS`` rows chosen by user id, so concurrent requests rarely wait on one
    row. ``experiment`` and ``arm`` are names ("" outside any experiment), kept as text so the
    counts outlive the experiment's rows.
    """

    day = models.DateField()
    engine = models.CharField(max_length=30)
    experiment = models.CharField(max_length=100, blank=True, default="")
    arm = models.CharField(max_length=50, blank=True, default="")
    bucket = models.PositiveSmallIntegerField(default=0)
    impressions = models.PositiveBigIntegerField(default=0)
    requests = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "recommendation_impressions"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "engine", "experiment", "arm", "bucket"],
                name="unique_impression_counter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.engine} {self.experiment}/{self.arm}: {self.impressions}"
