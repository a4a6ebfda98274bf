from django.apps import AppConfig


class WaysInConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.waysin"
    verbose_name = "Ways in at the point of care"
