from django.apps import AppConfig


class RespondersConfig(AppConfig):
    name = "apps.responders"
    label = "responders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core import extensions

        from .landing import landing_url

        extensions.staff_landing.register(landing_url)
