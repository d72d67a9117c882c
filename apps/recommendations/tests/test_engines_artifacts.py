"""Engine artifacts: save, load, same scores; anything else is refused, never executed."""

import json
import zipfile

import numpy as np
import pytest

from apps.recommendations.engines import ENGINE_CLASSES, build_engine
from apps.recommendations.engines.artifacts import ArtifactError, engine_load, engine_save

from .engine_data import history, taste_clusters


@pytest.fixture(scope="module")
def clusters():
    return taste_clusters()


@pytest.mark.parametrize("name", sorted(ENGINE_CLASSES))
def test_saved_engine_loads_with_identical_scores_and_explanations(clusters, name, tmp_path):
    engine = build_engine(name).fit(clusters)
    path = tmp_path / "models" / f"{name}.npz"
    engine_save(engine, path)
    loaded = engine_load(path)
    assert type(loaded) is type(engine)
    for user_history in (history([0, 1]), history([4, 9], weights=[4.0, -2.0])):
        assert np.array_equal(loaded.score(user_history), engine.score(user_history))
        assert loaded.explain(user_history, 2) == engine.explain(user_history, 2)
    assert not list(path.parent.glob(".*"))  # no temporary file left behind


def test_hybrid_artifact_keeps_its_weights_and_cold_start(clusters, tmp_path):
    engine = build_engine("hybrid", weights={"content": 0.3}).fit(clusters)
    engine_save(engine, tmp_path / "hybrid.npz")
    loaded = engine_load(tmp_path / "hybrid.npz")
    assert loaded.weights == engine.weights
    cold = history([])
    cold.features = ["genre:Comedy"]
    assert np.array_equal(loaded.score(cold), engine.score(cold))


def test_saving_over_an_existing_artifact_replaces_it(clusters, tmp_path):
    path = tmp_path / "engine.npz"
    engine_save(build_engine("trending", window="day").fit(clusters), path)
    engine_save(build_engine("trending", window="week").fit(clusters), path)
    assert engine_load(path).window == "week"


def _rewrite_header(path, change):
    with np.load(path) as stored:
        arrays = {key: stored[key] for key in stored.files}
    header = json.loads(bytes(arrays["__meta__"]).decode())
    change(header)
    arrays["__meta__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.update(version=99), "version"),
        (lambda h: h.update(kind="os.system"), "kind"),
        (lambda h: h.update(format="something-else"), "not a Movie Nexus"),
    ],
)
def test_artifact_with_a_wrong_header_is_refused(clusters, tmp_path, change, message):
    path = tmp_path / "engine.npz"
    engine_save(build_engine("content").fit(clusters), path)
    _rewrite_header(path, change)
    with pytest.raises(ArtifactError, match=message):
        engine_load(path)


def test_artifact_holding_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, __meta__=np.array([{"kind": "HybridEngine"}], dtype=object))
    with pytest.raises(ArtifactError):
        engine_load(path)


def test_missing_or_corrupt_artifact_raises_artifact_error(tmp_path):
    with pytest.raises(ArtifactError):
        engine_load(tmp_path / "absent.npz")
    corrupt = tmp_path / "corrupt.npz"
    with zipfile.ZipFile(corrupt, "w") as archive:
        archive.writestr("__meta__.npy", b"not numpy")
    with pytest.raises(ArtifactError):
        engine_load(corrupt)
