"""Changes to conversations: referrals and reads, responses, author replies and votes."""

from .referrals import referral_create, referral_revoke, story_mark_read
from .replies import (
    author_reply_create,
    author_reply_publish,
    author_reply_reject,
    conversation_staff,
    response_vote_helpful,
)
from .reports import (
    conversation_item_hide,
    conversation_report,
    conversation_reports_dismiss,
)
from .responding import (
    EDIT_MINUTES,
    Preview,
    may_edit,
    respond_node_default,
    respond_nodes,
    response_create,
    response_edit,
    response_preview,
    response_publish,
    response_reject,
    response_withdraw,
    similar_count,
)

__all__ = [
    "EDIT_MINUTES",
    "Preview",
    "author_reply_create",
    "author_reply_publish",
    "author_reply_reject",
    "conversation_item_hide",
    "conversation_report",
    "conversation_reports_dismiss",
    "conversation_staff",
    "may_edit",
    "referral_create",
    "referral_revoke",
    "respond_node_default",
    "respond_nodes",
    "response_create",
    "response_edit",
    "response_preview",
    "response_publish",
    "response_reject",
    "response_vote_helpful",
    "response_withdraw",
    "similar_count",
    "story_mark_read",
]
