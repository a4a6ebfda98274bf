from django.apps import AppConfig


class ChangesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.changes"
    verbose_name = "Changes planned and made"
