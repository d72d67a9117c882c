"""What recording analytics adds to a like, measured side by side in one process.

Usage (PostgreSQL and Redis, as in production; any migrated database works):

  DATABASE_URL=postgres://... REDIS_URL=redis://.../N \
      .venv/bin/python bench/analytics_recording.py [--rounds 21] [--iterations 100]

A like and its undo (``POST`` then ``DELETE movies/{id}/like/``, each a committed write that
reports one activity event) go through Django's WSGI handler with the production settings and a
real JWT, in two set-ups taking turns round by round: without recording (the analytics
receivers disconnected and the request timing middleware left out) and with it (as deployed:
each event appended to the Redis buffer, each request timed). Between rounds, untimed, the
buffer is written to the database by ``activity_flush``, whose cost per event is printed too
(that work runs in the worker, not in the request), and so is the wall time spent inside the
recording call itself on the request (the part of the difference that is recording and not the
machine's noise). ``/health/live`` is timed in the same run and
every figure is also given as a ratio to it. Prints medians over the rounds, of wall time and of
this process's CPU time (what recording itself costs is spent in this process; the database's
share of a like is not, so the CPU ratio is the stricter one).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ab_infrastructure import ENV, environ

for name, value in ENV.items():
    os.environ.setdefault(name, value)

import django  # noqa: E402

django.setup()


def wsgi(middleware: list[str]):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def call(handler, method: str, path: str, token: str | None = None) -> str:
    statuses = []
    env = environ(path)
    env["REQUEST_METHOD"] = method
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = handler(env, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    response.close()
    return statuses[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--iterations", type=int, default=100)
    options = parser.parse_args()

    from django.conf import settings
    from rest_framework_simplejwt.tokens import RefreshToken

    from apps.accounts.models import User
    from apps.analytics import receivers
    from apps.analytics.recording import activity_flush
    from apps.catalog.models import Movie
    from apps.core.activity import activity_happened

    user, _ = User.objects.get_or_create(
        username="bench_analytics", defaults={"email": "bench_analytics@example.test"}
    )
    movie = Movie.objects.filter(is_active=True).order_by("id").first()
    if movie is None:
        raise SystemExit("no movie in the database: run make bench (or import a dataset) first")
    token = str(RefreshToken.for_user(user).access_token)
    like = f"/api/v1/movies/{movie.pk}/like/"

    with_recording = list(settings.MIDDLEWARE)
    without_recording = [m for m in with_recording if "analytics" not in m]
    handlers = {"with": wsgi(with_recording), "without": wsgi(without_recording)}

    spent = [0.0, 0]  # wall seconds inside activity_enqueue, events

    enqueue = receivers.activity_enqueue

    def timed_enqueue(**event):
        started = time.perf_counter()
        try:
            return enqueue(**event)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    receivers.activity_enqueue = timed_enqueue

    def recording(on: bool) -> None:
        if on:
            activity_happened.connect(
                receivers.activity_happened_receiver, dispatch_uid="analytics_activity_happened"
            )
        else:
            activity_happened.disconnect(dispatch_uid="analytics_activity_happened")

    def likes(side: str, count: int) -> tuple[float, float]:
        recording(side == "with")
        handler = handlers[side]
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            first = call(handler, "POST", like, token)
            second = call(handler, "DELETE", like, token)
            if not (first.startswith("20") and second.startswith("20")):
                raise SystemExit(f"like answered {first}, undo {second}")
        calls = 2 * count
        return (
            (time.perf_counter() - started) / calls * 1e6,
            (time.process_time() - cpu) / calls * 1e6,
        )

    def live(count: int) -> tuple[float, float]:
        handler = handlers["with"]
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            call(handler, "GET", "/health/live")
        return (
            (time.perf_counter() - started) / count * 1e6,
            (time.process_time() - cpu) / count * 1e6,
        )

    activity_flush()
    likes("with", 10)
    likes("without", 10)
    live(100)
    times = {"without": [], "with": [], "live": []}
    flush_per_event = []
    for index in range(options.rounds):
        order = ["without", "with"] if index % 2 == 0 else ["with", "without"]
        for side in order:
            times[side].append(likes(side, options.iterations))
        times["live"].append(live(options.iterations * 2))
        started = time.perf_counter()
        written = activity_flush()
        if written:
            flush_per_event.append((time.perf_counter() - started) / written * 1e6)
    recording(True)

    for clock, index in (("wall", 0), ("cpu", 1)):
        without, with_, health = (
            statistics.median(sample[index] for sample in times[key])
            for key in ("without", "with", "live")
        )
        print(f"{clock} time per like or undo:")
        print(f"  without recording: {without:.0f} us ({without / health:.1f} x /health/live)")
        print(f"  with recording:    {with_:.0f} us ({with_ / health:.1f} x /health/live)")
        print(f"  recording adds {(with_ / without - 1) * 100:.1f} % (ratio {with_ / without:.3f})")
        print(f"  /health/live: {health:.0f} us")
    if spent[1]:
        inside = spent[0] / spent[1] * 1e6
        share = inside / statistics.median(sample[0] for sample in times["with"]) * 100
        print(
            f"wall time inside the recording call (JSON entry and RPUSH): {inside:.0f} us per "
            f"event, {share:.2f} % of a like"
        )
    if flush_per_event:
        flush = statistics.median(flush_per_event)
        print(f"activity_flush, off the request path: {flush:.0f} us per event written")
    print(f"(medians of {options.rounds} rounds x {options.iterations} likes and undos)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
