import pytest

from apps.movielens.titles import genres_parse, imdb_id_format, title_parse


@pytest.mark.parametrize(
    ("raw", "title", "alternate", "year"),
    [
        ("Matrix, The (1999)", "The Matrix", "", 1999),
        (
            "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
            "Amelie",
            "Le Fabuleux destin d'Amélie Poulain",
            2001,
        ),
        ("Seven (a.k.a. Se7en) (1995)", "Seven", "Se7en", 1995),
        ("Babylon 5", "Babylon 5", "", None),
        ("(500) Days of Summer (2009)", "(500) Days of Summer", "", 2009),
        ("Stranger Things (2016-)", "Stranger Things", "", 2016),
        ("Godfather: Part II, The (1974)", "The Godfather: Part II", "", 1974),
        ("Ready Player One (2018) ", "Ready Player One", "", 2018),
        ("1408 (2007)", "1408", "", 2007),
        ("(1999)", "(1999)", "", None),
    ],
)
def test_movielens_titles_parse_into_title_alternate_title_and_year(raw, title, alternate, year):
    parsed = title_parse(raw)

    assert (parsed.title, parsed.alternate_title, parsed.year) == (title, alternate, year)


def test_movielens_genres_map_to_tmdb_names_and_no_genres_means_none():
    assert genres_parse("Sci-Fi|Children|Musical|Film-Noir|IMAX") == [
        "Science Fiction",
        "Family",
        "Music",
        "Film-Noir",
        "IMAX",
    ]
    assert genres_parse("(no genres listed)") == []
    assert genres_parse("") == []


def test_imdb_ids_are_prefixed_and_zero_padded_to_seven_digits():
    assert imdb_id_format("114709") == "tt0114709"
    assert imdb_id_format("0114709") == "tt0114709"
    assert imdb_id_format("10872600") == "tt10872600"
    assert imdb_id_format("") is None
    assert imdb_id_format("abc") is None
