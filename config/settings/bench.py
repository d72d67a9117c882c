"""Benchmarks (bench/run.sh, ``make bench``): the production settings and server, plus the
bench-only routes of config/urls_bench.py. Only the benchmark runs with these; the production
URLconf (config/urls.py) routes none of them."""

from config.settings.prod import *  # noqa: F403

ROOT_URLCONF = "config.urls_bench"
