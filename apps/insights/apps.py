from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.insights"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from apps.core import extensions
        from apps.core.signals import public_figures_changed

        from . import tasks  # noqa: F401 - registers insights.refresh_figures and open_data_dump
        from .receivers import mark_figures_stale
        from .sections import organisation_figures
        from .staff_home import staff_home_summary

        public_figures_changed.connect(mark_figures_stale, dispatch_uid="insights.mark_stale")
        extensions.organisation_page_sections.register("figures", organisation_figures)
        extensions.staff_home_sections.register("summary", staff_home_summary)
