from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "apps.stories"
    label = "stories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core import extensions

        from . import invalidation
        from .sections import organisation_stories

        invalidation.connect()

        extensions.organisation_page_sections.register("stories", organisation_stories)
