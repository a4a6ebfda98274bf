"""A trust's Friends and Family Test setting, for its super-users and platform admins."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import second_factor_required
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core.audit import refuse
from apps.core.view_markers import private
from apps.organisations.models import Organisation

from .forms_fft import FftSettingForm
from .services_fft import can_set_fft, trust_fft_update


@private
@require_http_methods(["GET", "HEAD", "POST"])
@second_factor_required
def fft_setting(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Turn the question on (before or after the story) or off for the trust: super-users
    of the trust and platform admins (403, audited, for anyone else); a node below the top
    has no setting of its own (404)."""
    trust = Organisation.objects.filter(slug=slug, depth=1).first()
    if trust is None:
        raise Http404("No such trust")
    if not can_set_fft(request.user, trust):
        refuse(
            actor=request.user,
            action="waysin.fft_setting.refused",
            target=trust,
            organisation_path=trust.path,
        )
    form = FftSettingForm(
        request.POST if request.method == "POST" else None,
        initial={"fft_asked": trust.fft_asked},
    )
    if request.method == "POST" and form.is_valid():
        trust_fft_update(actor=request.user, trust=trust, fft_asked=form.cleaned_data["fft_asked"])
        messages.success(request, _("The Friends and Family Test setting is saved."))
        return redirect(reverse("waysin_fft:setting", kwargs={"slug": trust.slug}))
    return render(request, "waysin/fft_setting.html", {"organisation": trust, "form": form})
