"""Analytics settings (imported by base.py): recording, retention, the client address key."""

from config.settings.env import env_bool, env_int, env_list, env_str

# Recorded events wait in a buffer (Redis, else this process) and are written in batches.
ANALYTICS_FLUSH_SECONDS = env_int("ANALYTICS_FLUSH_SECONDS", 5)
ANALYTICS_BATCH_SIZE = env_int("ANALYTICS_BATCH_SIZE", 2000)
ANALYTICS_FLUSH_MAX_BATCHES = env_int("ANALYTICS_FLUSH_MAX_BATCHES", 50)
# With Redis, a process appends its events to the buffer together (one RPUSH) once the oldest
# has waited this long or this many are pending (0 ms: each at once); at most PENDING_MAX wait
# in a process while Redis is down, the oldest dropped beyond.
ANALYTICS_PUSH_BATCH_MS = env_int("ANALYTICS_PUSH_BATCH_MS", 100)
ANALYTICS_PUSH_BATCH_SIZE = env_int("ANALYTICS_PUSH_BATCH_SIZE", 500)
ANALYTICS_PUSH_PENDING_MAX = env_int("ANALYTICS_PUSH_PENDING_MAX", 100_000)
# At most this many events wait while the analytics database is down; older ones are dropped.
ANALYTICS_BUFFER_MAX = env_int("ANALYTICS_BUFFER_MAX", 1_000_000)
# Without Redis there is no beat: a request that finds a flush due writes the batch itself.
ANALYTICS_MEMORY_AUTOFLUSH = env_bool("ANALYTICS_MEMORY_AUTOFLUSH", True)
# A client's session ends after this long without a request.
ANALYTICS_SESSION_IDLE_SECONDS = env_int("ANALYTICS_SESSION_IDLE_SECONDS", 30 * 60)
# Fernet keys for client addresses (comma-separated, the first encrypts); unset: derived from
# SECRET_KEY. Generate one with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
ANALYTICS_IP_KEYS = env_list("ANALYTICS_IP_KEYS")
# Months of activity log partitions kept created ahead of the current one (PostgreSQL).
ANALYTICS_PARTITIONS_AHEAD = env_int("ANALYTICS_PARTITIONS_AHEAD", 3)
# Where activity_prune writes the compressed CSV of the partitions it drops.
ANALYTICS_ARCHIVE_DIR = env_str("ANALYTICS_ARCHIVE_DIR", "var/analytics-archive")
# Request timings: each process sends its histograms to the buffer at most this often.
ANALYTICS_TIMINGS_SEND_SECONDS = env_int("ANALYTICS_TIMINGS_SEND_SECONDS", 10)
