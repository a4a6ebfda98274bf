from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User

from .forms import NewAccountForm
from .invitations import InvitationInvalid, invitation_accept, invitation_for_token


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Who invited you, to what and where; then make an account, or use the one signed in."""
    try:
        invitation = invitation_for_token(token)
    except InvitationInvalid as exc:
        return render(
            request, "responders/invitation_invalid.html", {"reason": str(exc)}, status=403
        )
    form = NewAccountForm(
        request.POST if request.method == "POST" and not request.user.is_authenticated else None,
        email=invitation.email,
        initial={"display_name": invitation.full_name, "job_title": invitation.job_title},
    )
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                with transaction.atomic():
                    user = User.objects.create_user(
                        invitation.email,
                        form.cleaned_data["password1"],
                        display_name=form.cleaned_data["display_name"],
                        job_title=form.cleaned_data["job_title"],
                    )
                    # The invitation reached this address, which proves it.
                    EmailAddress.objects.create(
                        user=user, email=user.email, verified=True, primary=True
                    )
                    invitation_accept(token=token, user=user)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(
                    request, "responders/accept.html", {"invitation": invitation, "form": form}
                )
        except InvitationInvalid as exc:
            return render(
                request, "responders/invitation_invalid.html", {"reason": str(exc)}, status=403
            )
        messages.success(
            request,
            f"Welcome. You are now {invitation.get_role_display().lower()} "
            f"for {invitation.organisation}.",
        )
        return redirect("home")
    return render(request, "responders/accept.html", {"invitation": invitation, "form": form})
