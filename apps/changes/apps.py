from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.changes"
    verbose_name = _("Changes planned and made")

    def ready(self) -> None:
        from apps.core import extensions

        from . import invalidation, sections
        from .progress import PROGRESS

        invalidation.connect()
        extensions.story_progress.register(PROGRESS)
        extensions.response_outcomes.register(sections.response_outcomes)
        extensions.story_page_sections.register("changes", sections.story_changes)
        extensions.author_page_sections.register("changes", sections.author_changes)
        extensions.author_export_parts.register("changes", sections.author_export)
        extensions.staff_story_page_sections.register("changes", sections.staff_story_changes)
        extensions.organisation_page_sections.register("changes", sections.organisation_changes)
