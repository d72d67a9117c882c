"""The suite runs in a bare clone, with no ../shared beside it (issue 11, item 20): every test
module is collected (nothing reads a shared file at import time, so no module is skipped or
fails whole), and a test that needs the data skips saying how to get it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from apps.core.testing import (
    MOVIELENS_SMALL_URL,
    shared_movielens_small,
    shared_tmdb_fixture,
)

ROOT = Path(settings.BASE_DIR)


@pytest.mark.slow
def test_every_test_module_is_collected_without_the_shared_data(tmp_path):
    env = {**os.environ, "SHARED_DIR": str(tmp_path / "no-shared-data-here")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:xdist", "apps"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # "collected 1285 items", or "collected 1263 items / 1 skipped" when a module skipped
    # itself at import (it read a missing file then), or "... / 1 error".
    (summary,) = [line for line in result.stdout.splitlines() if line.startswith("collected ")]
    assert "skipped" not in summary, summary
    assert "error" not in summary, summary


def test_a_test_needing_movielens_skips_with_how_to_get_it(settings, tmp_path):
    settings.SHARED_DIR = tmp_path

    with pytest.raises(pytest.skip.Exception) as skipped:
        shared_movielens_small()

    assert MOVIELENS_SMALL_URL in str(skipped.value)
    assert "SHARED_DIR" in str(skipped.value)


def test_a_test_needing_tmdb_recordings_skips_with_how_to_get_them(settings, tmp_path):
    settings.SHARED_DIR = tmp_path

    with pytest.raises(pytest.skip.Exception) as skipped:
        shared_tmdb_fixture("movie_popular.json")

    assert "../shared/tmdb-fixtures" in str(skipped.value)
    assert "SHARED_DIR" in str(skipped.value)


def test_the_shared_data_is_found_where_settings_say(settings, tmp_path):
    directory = tmp_path / "datasets" / "ml-latest-small"
    directory.mkdir(parents=True)
    (directory / "ratings.csv").write_text("userId,movieId,rating,timestamp\n")
    settings.SHARED_DIR = tmp_path

    assert shared_movielens_small() == directory
