"""Pure parsing of MovieLens titles and genres.

MovieLens writes "Matrix, The (1999)": a trailing article moved behind a comma, the year in
parentheses, and sometimes an alternate title in parentheses before it ("Amelie (Fabuleux
destin d'Amelie Poulain, Le) (2001)", "Seven (a.k.a. Se7en) (1995)").
"""

import re
from dataclasses import dataclass

# Trailing articles MovieLens moves behind a comma, in the languages its titles use.
_ARTICLES = (
    "The|A|An|Les|Le|La|L'|Il|Lo|Gli|I|El|Los|Las|Un|Une|Das|Der|Die|Den|Det|De|Het|Ein|Eine|"
    "O|Os|As|Ett|En"
)
_TRAILING_ARTICLE = re.compile(rf"^(?P<rest>.+?),\s+(?P<article>{_ARTICLES})$")
_YEAR = re.compile(r"\s*\((?P<year>\d{4})(?:\s*[-\u2013]\s*(?:\d{4})?)?\)\s*$")
_ALTERNATE = re.compile(r"^(?P<main>.*\S)\s*\((?P<alternate>[^()]+)\)$")
_AKA = re.compile(r"^(?:a\.k\.a\.|aka)\s+", re.IGNORECASE)

NO_GENRES = "(no genres listed)"

# MovieLens genre -> (our genre name, TMDb genre id or None). TMDb has no Film-Noir or IMAX.
GENRES: dict[str, tuple[str, int | None]] = {
    "Action": ("Action", 28),
    "Adventure": ("Adventure", 12),
    "Animation": ("Animation", 16),
    "Children": ("Family", 10751),
    "Children's": ("Family", 10751),
    "Comedy": ("Comedy", 35),
    "Crime": ("Crime", 80),
    "Documentary": ("Documentary", 99),
    "Drama": ("Drama", 18),
    "Fantasy": ("Fantasy", 14),
    "Film-Noir": ("Film-Noir", None),
    "Horror": ("Horror", 27),
    "IMAX": ("IMAX", None),
    "Musical": ("Music", 10402),
    "Mystery": ("Mystery", 9648),
    "Romance": ("Romance", 10749),
    "Sci-Fi": ("Science Fiction", 878),
    "Thriller": ("Thriller", 53),
    "War": ("War", 10752),
    "Western": ("Western", 37),
}


@dataclass(frozen=True)
class ParsedTitle:
    title: str
    alternate_title: str
    year: int | None


def _article_first(title: str) -> str:
    """'Matrix, The' -> 'The Matrix'; "Homme, L'" -> "L'Homme"."""
    match = _TRAILING_ARTICLE.match(title.strip())
    if not match:
        return title.strip()
    article, rest = match["article"], match["rest"].strip()
    return f"{article}{rest}" if article.endswith("'") else f"{article} {rest}"


def title_parse(raw: str) -> ParsedTitle:
    """Title, alternate title and year from a MovieLens title."""
    text = " ".join((raw or "").split())
    year = None
    match = _YEAR.search(text)
    if match and match.start() > 0:
        year = int(match["year"])
        text = text[: match.start()]
    alternate = ""
    match = _ALTERNATE.match(text)
    if match:
        text, alternate = match["main"], _AKA.sub("", match["alternate"].strip())
    title = _article_first(text) or (raw or "").strip()
    return ParsedTitle(title=title, alternate_title=_article_first(alternate), year=year)


def genres_parse(raw: str) -> list[str]:
    """Our genre names for a MovieLens genre list; unknown names are kept as they are."""
    if not raw or raw.strip() == NO_GENRES:
        return []
    names: list[str] = []
    for part in raw.split("|"):
        part = part.strip()
        if not part or part == NO_GENRES:
            continue
        name = GENRES.get(part, (part, None))[0]
        if name not in names:
            names.append(name)
    return names


def imdb_id_format(raw: str) -> str | None:
    """links.csv's imdbId (digits, leading zeros often dropped) as 'tt' + at least 7 digits."""
    digits = (raw or "").strip()
    if not digits.isdigit() or int(digits) == 0:
        return None
    return f"tt{int(digits):07d}"
