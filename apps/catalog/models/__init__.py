from apps.catalog.models.credits import MovieCast, MovieCrew, Person
from apps.catalog.models.lists import TMDbList, TMDbListItem
from apps.catalog.models.movies import (
    Genre,
    Keyword,
    Movie,
    MovieGenre,
    MovieKeyword,
    MovieProductionCompany,
    MovieTag,
    ProductionCompany,
    Video,
)
from apps.catalog.models.providers import MovieWatchProvider, OfferType, WatchProvider
from apps.catalog.models.tv import Episode, EpisodeCast, Season, ShowGenre, TVShow

__all__ = [
    "Episode",
    "EpisodeCast",
    "Genre",
    "Keyword",
    "Movie",
    "MovieCast",
    "MovieCrew",
    "MovieGenre",
    "MovieKeyword",
    "MovieProductionCompany",
    "MovieTag",
    "MovieWatchProvider",
    "OfferType",
    "Person",
    "ProductionCompany",
    "Season",
    "ShowGenre",
    "TMDbList",
    "TMDbListItem",
    "TVShow",
    "Video",
    "WatchProvider",
]
