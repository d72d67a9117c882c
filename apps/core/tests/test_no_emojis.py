"""The owner's rule: no emoji or pictographic character in any tracked text file."""

import re
import subprocess

from django.conf import settings

# Emoji and pictograph blocks, dingbats, arrows-and-symbols extensions, variation selector 16.
PICTOGRAPHS = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u2300-\u23ff\U0001f1e6-\U0001f1ff]"
)


def tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z"], cwd=settings.BASE_DIR, capture_output=True, check=True
    )
    return [name for name in result.stdout.decode().split("\0") if name]


def test_no_tracked_text_file_contains_an_emoji():
    offenders = []
    for name in tracked_files():
        path = settings.BASE_DIR / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if PICTOGRAPHS.search(line):
                offenders.append(f"{name}:{number}")
    assert not offenders, f"emoji or pictographs found at: {offenders[:20]}"


def test_the_detector_catches_a_pictograph():
    assert PICTOGRAPHS.search("ok \u2705")
    assert PICTOGRAPHS.search("film \U0001f3ac")
    assert not PICTOGRAPHS.search(
        "plain text, accents: e\u0301 \u00e9, dashes \u2014 and arrows ->"
    )
