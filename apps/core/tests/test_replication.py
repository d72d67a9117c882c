"""Read-your-writes and lag handling against a real streaming replica with its replay paused.

Skipped unless a stack is running: `make stack`, then `make stack-test` (it exports the stack's
STACK_* variables from var/stack/env and runs this file). A manage.py process is given the
stack's primary and replica (through PgBouncer, as the servers use them); replay on the
replica is paused with pg_wal_replay_pause(), so everything written afterwards exists only on
the primary, and each read shows where it went.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("STACK_REPLICA_URL"),
        reason="needs a streaming replica: run `make stack`, then `make stack-test`",
    ),
]

SCRIPT = r"""
import json, threading, time, uuid
import psycopg
from django.db import connections
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken
from apps.accounts.services.registration import user_register
from apps.accounts.models import User

out = {}
def elsewhere():
    # Another reader: a thread that has not written (this process has, which pins it to the
    # primary for good, as it would a command or a worker thread).
    box = {}
    def read():
        try:
            box["value"] = (User.objects.filter(pk=user.pk).db,
                            User.objects.get(pk=user.pk).first_name)
        finally:
            connections.close_all()
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return box["value"]

def wait(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False

name = "replication_" + uuid.uuid4().hex[:10]
user = user_register(username=name, email=name + "@example.com", password="a-long-pass-phrase-1")
assert wait(lambda: User.objects.using("replica_0").filter(pk=user.pk).exists())
token = str(RefreshToken.for_user(user).access_token)
client = Client(HTTP_AUTHORIZATION="Bearer " + token)
replica = psycopg.connect(REPLICA_URL, autocommit=True)
try:
    # A transaction replayed just now, so the replica's lag starts from zero when paused.
    User.objects.filter(pk=user.pk).update(last_name="x")
    assert wait(lambda: User.objects.using("replica_0").get(pk=user.pk).last_name == "x")
    replica.execute("SELECT pg_wal_replay_pause()")
    response = client.patch(
        "/api/v1/me/", {"first_name": "Written"}, content_type="application/json"
    )
    out["patch_status"] = response.status_code
    out["own_read_next_request"] = client.get("/api/v1/me/").json()["data"]["first_name"]
    # Anyone else (here: a thread outside any request) reads the lagging replica while its
    # lag is under the limit...
    out["other_read_alias"], out["other_read_within_lag"] = elsewhere()
    # ...and the primary once the replica lags more than the limit.
    time.sleep(MAX_LAG + 0.8)
    out["other_read_alias_when_lagging"], out["other_read_when_lagging"] = elsewhere()
    ready = client.get("/health/ready").json()
    out["ready_replicas_when_lagging"] = ready["data"]["checks"]["replicas"]
finally:
    replica.execute("SELECT pg_wal_replay_resume()")
    replica.close()
time.sleep(0.5)
caught_up = wait(lambda: elsewhere()[0] == "replica_0")
out["other_read_alias_after_resume"], out["other_read_after_resume"] = elsewhere()
User.objects.filter(pk=user.pk).delete()
print(json.dumps(out))
"""


def test_a_writer_reads_its_write_while_others_read_the_replica_until_it_lags_too_far():
    max_lag = 3.0
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE", "REDIS_URL", "DJANGO_SETTINGS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=os.environ["STACK_APP_DATABASE_URL"],
        DATABASE_REPLICA_URLS=os.environ["STACK_APP_REPLICA_URLS"],
        DATABASE_POOLER="pgbouncer",
        ALLOWED_HOSTS="testserver",
        NUM_PROXIES="0",
        DATABASE_REPLICA_MAX_LAG_SECONDS=str(max_lag),
        DATABASE_REPLICA_CHECK_SECONDS="0.2",
        LOG_LEVEL="ERROR",
    )
    script = f"REPLICA_URL = {os.environ['STACK_REPLICA_URL']!r}\nMAX_LAG = {max_lag}\n" + SCRIPT
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["patch_status"] == 200
    assert seen["own_read_next_request"] == "Written"
    assert seen["other_read_alias"] == "replica_0"
    assert seen["other_read_within_lag"] == ""
    assert seen["other_read_alias_when_lagging"] == "default"
    assert seen["other_read_when_lagging"] == "Written"
    assert seen["ready_replicas_when_lagging"].startswith("replica_0: skipped (lagging")
    assert seen["other_read_alias_after_resume"] == "replica_0"
    assert seen["other_read_after_resume"] == "Written"
