from django.apps import AppConfig


class RespondersConfig(AppConfig):
    name = "apps.responders"
    label = "responders"
    default_auto_field = "django.db.models.BigAutoField"
