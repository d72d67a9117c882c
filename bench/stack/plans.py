"""Query plans of what an endpoint runs: the request is served in-process (Django's test
client, the stack's settings and database), its SQL captured, and every query slower than
--min-ms is run again under EXPLAIN (ANALYZE, BUFFERS) on the primary and printed.

    .venv/bin/python bench/stack/plans.py [--min-ms 5] PATH [PATH...]

A PATH may start with "POST " and end with " AUTH" to send the request with an access token of
a user with interactions (minted as bench/stack/paths.py does). Run with var/stack/env.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.tokens import AccountRefreshToken  # noqa: E402
from apps.interactions.models import Interaction  # noqa: E402


def token() -> str:
    user_id = Interaction.objects.order_by("-id").values_list("user_id", flat=True).first()
    from django.contrib.auth import get_user_model

    return str(AccountRefreshToken.for_user(get_user_model().objects.get(pk=user_id)).access_token)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--min-ms", type=float, default=5.0)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    for spec in args.paths:
        method, _, rest = spec.partition(" ") if spec.startswith("POST ") else ("GET", "", spec)
        path, _, auth = rest.partition(" ")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token()}"} if auth == "AUTH" else {}
        captured = {}
        for alias in connections:
            captured[alias] = CaptureQueriesContext(connections[alias])
            captured[alias].__enter__()
        response = getattr(client, method.lower())(path, **headers)
        for context in captured.values():
            context.__exit__(None, None, None)
        print(f"\n## {method} {path} -> {response.status_code}")
        for alias, context in captured.items():
            for query in context.captured_queries:
                ms = float(query["time"]) * 1000
                print(f"- {alias} {ms:.1f} ms: {query['sql'][:160]}")
                if ms < args.min_ms or not query["sql"].lstrip().upper().startswith("SELECT"):
                    continue
                with connections["default"].cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("```")
                    print("\n".join(row[0] for row in cursor.fetchall()))
                    print("```")


if __name__ == "__main__":
    main()
