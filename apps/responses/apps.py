from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "apps.responses"
    label = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core import extensions

        from . import invalidation, sections, selectors
        from .services.retention import conversation_purge

        invalidation.connect()
        extensions.story_page_sections.register("conversation", sections.story_conversation)
        extensions.author_page_sections.register("conversation", sections.author_conversation)
        extensions.story_responded.register(selectors.story_has_published_response)
        extensions.moderation_waiting.register(selectors.moderation_waiting)
        extensions.author_export_parts.register("conversation", sections.author_export)
        extensions.story_purge_parts.register("conversation", conversation_purge)
