from django.urls import path

from apps.notifications import views

urlpatterns = [
    path("me/notifications/", views.MyNotificationListView.as_view(), name="me-notifications"),
    path(
        "me/notifications/unread-count/",
        views.MyNotificationUnreadCountView.as_view(),
        name="me-notifications-unread-count",
    ),
    path(
        "me/notifications/preferences/",
        views.MyNotificationPreferencesView.as_view(),
        name="me-notification-preferences",
    ),
    path(
        "me/notifications/<id:notification_id>/read/",
        views.MyNotificationReadView.as_view(),
        name="me-notification-read",
    ),
    path("me/devices/", views.MyDeviceListView.as_view(), name="me-devices"),
    path("me/devices/<id:device_id>/", views.MyDeviceDetailView.as_view(), name="me-device"),
    path(
        "notifications/open/<str:token>/",
        views.NotificationOpenView.as_view(),
        name="notifications-open",
    ),
    path(
        "notifications/click/<str:token>/",
        views.NotificationClickView.as_view(),
        name="notifications-click",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.NotificationUnsubscribeView.as_view(),
        name="notifications-unsubscribe",
    ),
]
