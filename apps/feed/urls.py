from django.urls import path

from apps.feed import views

urlpatterns = [
    path("feed/home/", views.FeedHomeView.as_view(), name="feed-home"),
    path("feed/sections/<slug:key>/", views.FeedSectionView.as_view(), name="feed-section"),
    path("collections/", views.CollectionListView.as_view(), name="collection-list"),
    path(
        "collections/<slug:slug>/", views.CollectionDetailView.as_view(), name="collection-detail"
    ),
    path("news/", views.NewsListView.as_view(), name="news-list"),
    path("news/<slug:slug>/", views.NewsDetailView.as_view(), name="news-detail"),
]
