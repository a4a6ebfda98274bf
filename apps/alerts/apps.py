from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the tasks that lower apps queue by name ("alerts.fan_out_story").
        from . import tasks  # noqa: F401
