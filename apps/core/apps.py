from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from apps.core import converters, replicas, routers
        from apps.core.outbox import email, tasks  # noqa: F401 - the email channel, the tasks

        converters.register()
        connection_created.connect(replicas.install_failure_watch, dispatch_uid="replica_watch")
        connection_created.connect(routers.install_write_watch, dispatch_uid="write_watch")
