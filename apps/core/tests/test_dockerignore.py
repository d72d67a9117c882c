"""The Docker build context leaves secrets out (issue 11.12): .dockerignore is read with Docker's
rules (Go filepath.Match per path segment, ``**`` for any number of directories, a pattern also
excluding everything under a directory it matches, ``!`` re-including, the last match winning)
and asked about files a user is told to create or might keep beside the code."""

import re
from pathlib import Path

import pytest
from django.conf import settings

DOCKERIGNORE = Path(settings.BASE_DIR) / ".dockerignore"


def _regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
            continue
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            out += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
            i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


def rules() -> list[tuple[bool, re.Pattern]]:
    parsed = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = line.lstrip("!").strip().lstrip("/").rstrip("/")
        parsed.append((include, _regex(pattern)))
    return parsed


def excluded(path: str) -> bool:
    """Whether Docker leaves ``path`` (relative to the context) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for include, regex in rules():
        if any(regex.match(candidate) for candidate in candidates):
            verdict = not include
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.local",
        ".env.production",
        "deploy/.env",
        "config/settings/.env.prod",
        "deploy/tls/server.key",
        "deploy/tls/server.pem",
        "id_rsa",
        "id_ed25519.pub",
        "fcm-credentials.json",
        "deploy/secrets/tmdb",
        ".pgpass",
        "var/db.sqlite3",
        "backup.dump",
        ".git/config",
        ".venv/bin/python",
    ],
)
def test_secrets_and_local_state_stay_out_of_the_image(path):
    assert excluded(path), f"{path} would be copied into the image"


@pytest.mark.parametrize(
    "path",
    [
        ".env.example",
        "manage.py",
        "pyproject.toml",
        "README.md",
        "apps/core/views.py",
        "config/settings/prod.py",
        "deploy/serve.sh",
        "deploy/nginx/nexus.conf",
        "deploy/kubernetes/secret.yaml",
    ],
)
def test_what_the_image_needs_is_kept(path):
    assert not excluded(path), f"{path} is needed by the image but excluded"


def test_the_matcher_follows_dockers_rules():
    assert _regex("**/*.pem").match("a/b/c.pem") and _regex("**/*.pem").match("c.pem")
    assert not _regex("*.pem").match("a/c.pem")
    assert _regex(".env.*").match(".env.local") and not _regex(".env.*").match(".env")
