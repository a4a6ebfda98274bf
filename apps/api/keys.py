"""The shape of an API key, and how it is made from the create form's one-time value.

A key is `cvk_` + 8 hex characters (its public prefix) + `_` + 43 URL-safe characters:
256 bits from a keyed HMAC (the site's secret key) of a 256-bit random value that the
create form carries. Neither that value nor the key is stored, only SHA-256 hashes of
each; so the same form sent twice can show the same key again, and nothing kept on the
server gives it back. SHA-256 (not a slow password hash) is right for a random secret.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from django.utils.crypto import salted_hmac

KEY_PREFIX = "cvk_"
_KEY = re.compile(r"^cvk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")
_SALT = "apps.api.keys.v1"


def new_nonce() -> str:
    """The create form's one-time value (a hidden field)."""
    return secrets.token_urlsafe(32)


def key_from_nonce(nonce: str) -> str:
    digest = salted_hmac(_SALT, nonce, algorithm="sha512").digest()
    secret = base64.urlsafe_b64encode(digest[4:36]).decode().rstrip("=")
    return f"{KEY_PREFIX}{digest[:4].hex()}_{secret}"


def public_prefix(key: str) -> str:
    """What lists show of a key: enough to tell keys apart, nothing to use."""
    return key[: len(KEY_PREFIX) + 8]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def is_well_formed(key: str) -> bool:
    return bool(_KEY.match(key))
