"""The conversation's part of the retention purge (apps.stories.retention)."""

from __future__ import annotations

from apps.stories.models import Story

from ..models import AuthorReply, Referral, Response


def conversation_purge(story: Story) -> dict[str, int]:
    """Empty the words about a purged story held here: the author's replies (and any
    moderator's note on them), the responses (which answer, and often quote, words that
    are gone) and referral notes. Who responded, as whom, for which node and when stays,
    for the response statistics. Returns the rows emptied, by kind."""
    return {
        "author_replies": AuthorReply.objects.filter(story=story).update(
            body="", rejection_note=""
        ),
        "responses": Response.objects.filter(story=story).update(
            body="", body_html="", withdrawn_reason=""
        ),
        "referral_notes": Referral.objects.filter(story=story).exclude(note="").update(note=""),
    }
