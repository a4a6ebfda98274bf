from django.apps import AppConfig


class WaysInConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.waysin"
    verbose_name = "Ways in at the point of care"

    def ready(self) -> None:
        from apps.core import extensions

        # --- posters and cards (views_posters.py) ---
        from .views_posters import organisation_poster

        extensions.organisation_page_sections.register("poster", organisation_poster)
        # --- end of posters and cards ---
