"""apps/recommendations/storing.py ImpressionTally: impressions counted in the process, written
to their counter rows together."""

from datetime import date

import pytest
from django.db import DatabaseError

from apps.recommendations import storing
from apps.recommendations.models import RecommendationImpression
from apps.recommendations.storing import ImpressionTally

pytestmark = pytest.mark.django_db

KEY = (date(2026, 12, 1), "hybrid", "", "", 3)


@pytest.fixture
def clock(monkeypatch, settings) -> list[float]:
    settings.RECOMMENDATION_IMPRESSIONS_FLUSH_SECONDS = 1.0
    now = [100.0]
    monkeypatch.setattr(storing.time, "monotonic", lambda: now[0])
    return now


def counted() -> tuple[int, int]:
    row = RecommendationImpression.objects.get(day=KEY[0], engine="hybrid", bucket=3)
    return row.impressions, row.requests


def test_reads_within_the_flush_interval_are_written_together_by_the_next_due_read(clock):
    tally = ImpressionTally()
    tally.add(KEY, 20)  # nothing written yet in this process: written at once
    tally.add(KEY, 10)
    tally.add(KEY, 5)
    assert counted() == (20, 1)

    clock[0] += 1.0
    tally.add(KEY, 1)

    assert counted() == (36, 4)


def test_a_failed_flush_keeps_its_counts_for_the_next(clock, monkeypatch):
    tally = ImpressionTally()
    real = storing.impressions_add

    def failing(**kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(storing, "impressions_add", failing)
    with pytest.raises(DatabaseError):
        tally.add(KEY, 7)
    monkeypatch.setattr(storing, "impressions_add", real)
    clock[0] += 1.0
    tally.add(KEY, 2)

    assert counted() == (9, 2)
