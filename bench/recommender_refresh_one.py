"""One user's fold-in refresh at the scale bench's size: the cost each write schedules.

Run by ``bench/recommender_scale.py --database URL`` after ``train_recommender``, in the
checkout being measured (the working directory: ``--code`` gives another commit's). Times
``recommendations_refresh`` (read the user's events, score with the active engines, explain,
replace the stored rows) for ``--users`` active users picked with a fixed seed, after one
warm-up refresh that loads the artifacts; prints a JSON line with the median, p95 and worst
milliseconds and the CPU milliseconds per refresh.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    import numpy as np

    from apps.recommendations.engines.threads import blas_threads_pinned
    from apps.recommendations.models import RecommendationState
    from apps.recommendations.services import recommendations_refresh

    user_ids = np.asarray(
        RecommendationState.objects.order_by("user_id").values_list("user_id", flat=True)
    )
    chosen = np.random.default_rng(17).choice(user_ids, size=args.users + 1, replace=False)
    timings, cpu = [], []
    with blas_threads_pinned():
        for n, user_id in enumerate(chosen.tolist()):
            started, cpu_started = time.perf_counter(), time.process_time()
            recommendations_refresh(user_id=int(user_id))
            if n:  # the first loads the artifacts
                timings.append(1000 * (time.perf_counter() - started))
                cpu.append(1000 * (time.process_time() - cpu_started))
    timings.sort()
    print(
        json.dumps(
            {
                "refresh_one_users": len(timings),
                "refresh_one_ms_median": round(statistics.median(timings), 1),
                "refresh_one_ms_p95": round(timings[int(0.95 * (len(timings) - 1))], 1),
                "refresh_one_ms_max": round(timings[-1], 1),
                "refresh_one_cpu_ms_median": round(statistics.median(cpu), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
