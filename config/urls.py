from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from apps.core import views as core_views
from apps.core.languages import switch_language
from apps.pages import views as page_views

# One language only: health checks, the icon, the API (its answers are data), and the
# language switch itself.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("language/", switch_language, name="set_language"),
    path("api/v1/", include("apps.api.urls")),
]

# Every page a person reads: in English at its plain address, in Welsh under /cy/.
urlpatterns += i18n_patterns(
    path("", page_views.home, name="home"),
    # Posters and cards first: their addresses sit under organisations/<slug>/.
    path("", include("apps.waysin.urls_posters")),
    path("organisations/", include("apps.organisations.urls")),
    path("", include("apps.changes.urls")),
    path("", include("apps.waysin.urls")),
    path("", include("apps.insights.urls_exports")),
    path("", include("apps.stories.urls")),
    path("", include("apps.responses.urls_public")),
    path("moderation/conversation/", include("apps.responses.urls_moderation")),
    path("moderation/reports/", include("apps.responses.urls_reports")),
    path("moderation/", include("apps.stories.urls_moderation")),
    path("staff/safeguarding/", include("apps.stories.urls_safeguarding")),
    path("staff/", include("apps.alerts.urls")),
    path("staff/", include("apps.responses.urls")),
    path("staff/", include("apps.responders.urls")),
    path("", include("apps.feeds.urls")),
    path("staff/", include("apps.api.urls_staff")),
    path("staff/", include("apps.waysin.urls_fft")),
    path("", include("apps.pages.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("apps.insights.urls")),
    prefix_default_language=False,
)

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
