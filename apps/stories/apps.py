from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "apps.stories"
    label = "stories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core import extensions

        from .sections import organisation_stories

        extensions.organisation_page_sections.register("stories", organisation_stories)
