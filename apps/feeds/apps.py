from django.apps import AppConfig


class FeedsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.feeds"
    verbose_name = "Atom feeds and the embeddable widget"

    def ready(self) -> None:
        from apps.core import extensions

        from .sections import organisation_follow

        extensions.organisation_page_sections.register("follow", organisation_follow)
