import datetime
from decimal import Decimal

from apps.tmdb import mapping
from apps.tmdb.tests.conftest import fixture_body


def test_movie_details_map_to_every_movie_column_they_carry():
    fields = mapping.movie_fields(fixture_body("movie_550.json"))

    assert fields["tmdb_id"] == 550
    assert fields["title"] == "Fight Club"
    assert fields["imdb_id"] == "tt0137523"
    assert fields["release_date"] == datetime.date(1999, 10, 15)
    assert fields["release_year"] == 1999
    assert fields["runtime"] == 139
    assert fields["status"] == "Released"
    assert isinstance(fields["tmdb_rating"], Decimal)
    assert Decimal(0) <= fields["tmdb_rating"] <= Decimal(10)


def test_list_item_maps_only_the_fields_it_has_so_details_are_not_blanked():
    item = fixture_body("movie_popular.json")["results"][0]

    fields = mapping.movie_fields(item)

    assert "runtime" not in fields
    assert "tagline" not in fields
    assert "imdb_id" not in fields
    assert fields["title"] == item["title"]
    assert mapping.movie_genre_ids(item) == item["genre_ids"]


def test_null_and_empty_values_become_column_defaults_not_errors():
    fields = mapping.movie_fields(
        {
            "id": 7,
            "title": "x",
            "release_date": "",
            "runtime": None,
            "budget": 0,
            "poster_path": None,
            "overview": None,
            "vote_average": None,
            "popularity": "n/a",
            "status": "Something new",
        }
    )

    assert fields["release_date"] is None
    assert "release_year" not in fields
    assert fields["runtime"] is None
    assert fields["budget"] is None
    assert fields["poster_path"] is None
    assert fields["overview"] == ""
    assert fields["tmdb_rating"] is None
    assert fields["popularity_score"] == 0.0
    assert "status" not in fields


def test_invalid_dates_and_out_of_range_numbers_are_dropped():
    fields = mapping.movie_fields(
        {"id": 8, "release_date": "2021-02-30", "runtime": -5, "vote_average": 11.2}
    )

    assert fields["release_date"] is None
    assert fields["runtime"] is None
    assert fields["tmdb_rating"] is None


def test_over_long_strings_are_cut_to_the_column_length():
    fields = mapping.movie_fields(
        {"id": 9, "title": "T" * 500, "tagline": "g" * 999, "original_language": "x" * 40}
    )

    assert len(fields["title"]) == 200
    assert len(fields["tagline"]) == 300
    assert len(fields["original_language"]) == 10


def test_body_without_a_title_falls_back_to_the_original_title():
    assert mapping.movie_fields({"id": 1, "original_title": "Orig"})["title"] == "Orig"
    assert "title" not in mapping.movie_fields({"id": 1, "title": None})


def test_appended_credits_map_cast_in_billing_order_and_crew_with_jobs():
    body = fixture_body("movie_550_append_credits_keywords_release_dates.json")

    credits = mapping.credits_fields(body)

    first = credits["cast"][0]
    assert first["person"]["name"] == "Edward Norton"
    assert first["character"] == "Narrator"
    assert first["order"] == 0
    assert any(c["job"] == "Director" and c["department"] == "Directing" for c in credits["crew"])
    ids = [c["credit_id"] for c in credits["cast"] + credits["crew"]]
    assert len(ids) == len(set(ids))


def test_standalone_credits_body_maps_like_appended_credits():
    body = fixture_body("movie_550_credits.json")

    credits = mapping.credits_fields(body)

    assert len(credits["cast"]) == len(body["cast"])
    assert len(credits["crew"]) == len(body["crew"])


def test_credits_without_a_person_id_or_a_repeated_credit_id_are_skipped():
    credits = mapping.credits_fields(
        {
            "cast": [
                {"id": None, "name": "Nobody", "credit_id": "a"},
                {"id": 1, "name": "One", "credit_id": "b", "order": None},
                {"id": 2, "name": "Two", "credit_id": "b"},
            ],
            "crew": [{"id": 3, "name": "Three", "credit_id": "c", "job": None}],
        }
    )

    assert [c["person"]["tmdb_id"] for c in credits["cast"]] == [1]
    assert credits["cast"][0]["order"] == 1
    assert credits["crew"] == []


def test_videos_keywords_and_companies_map_from_appended_blocks():
    body = fixture_body("movie_607_append.json")

    videos = mapping.movie_videos(body)
    companies = mapping.movie_companies(body)

    assert videos and all(v["site"] and v["key"] and v["tmdb_id"] for v in videos)
    assert videos[0]["published_at"].tzinfo is not None
    assert companies and companies[0]["tmdb_id"]
    keywords = mapping.movie_keywords(
        fixture_body("movie_550_append_credits_keywords_release_dates.json")
    )
    assert {"tmdb_id": 851, "name": "dual identity"} in keywords
    assert mapping.movie_videos(fixture_body("movie_550.json")) is None


def test_genre_lists_map_with_slugs():
    genres = [mapping.genre_fields(g) for g in fixture_body("genre_movie_list.json")["genres"]]

    assert {"tmdb_id": 878, "name": "Science Fiction", "slug": "science-fiction"} in genres
    assert mapping.genre_fields({"id": 5}) is None


def test_tv_show_details_map_with_air_dates_and_counts():
    fields = mapping.tv_show_fields(fixture_body("tv_1396.json"))

    assert fields["name"] == "Breaking Bad"
    assert fields["first_air_date"] == datetime.date(2008, 1, 20)
    assert fields["number_of_seasons"] == 5
    assert fields["in_production"] is False


def test_season_maps_with_one_entry_per_episode_number():
    body = fixture_body("tv_3572_season_1.json")

    season = mapping.season_fields(body)

    assert season["tmdb_id"] == 10838
    assert season["season_number"] == 1
    assert len(season["episodes"]) == len({e["episode_number"] for e in body["episodes"]})
    assert season["episodes"][0]["name"] == "Siege of Terror"
    assert season["episode_count"] == len(season["episodes"])


def test_person_details_map_with_null_deathday():
    fields = mapping.person_fields(fixture_body("person_1.json"))

    assert fields["name"] == "George Lucas"
    assert fields["birthday"] == datetime.date(1944, 5, 14)
    assert fields["deathday"] is None
    assert fields["imdb_id"] == "nm0000184"
    assert mapping.person_fields({"id": 4, "name": ""}) is None
