from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "apps.responses"
    label = "responses"
    default_auto_field = "django.db.models.BigAutoField"
