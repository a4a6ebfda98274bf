from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "apps.stories"
    label = "stories"
    default_auto_field = "django.db.models.BigAutoField"
