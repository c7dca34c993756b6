"""Share tokens: unguessable, and re-derivable by the server alone.

A token is HMAC-SHA256(SECRET_KEY, share id): 256 bits no one can compute
without the key. The database keeps only SHA-256 of the token, to find the
share by; a leak of the database therefore reveals no working link, while
the owner's list can still show each link (the server derives it again).
Rotating SECRET_KEY invalidates every link, as it does every session.
"""

import base64
import hashlib
import hmac

from beanie import PydanticObjectId

_PURPOSE = b"vidvault share link\x00"
TOKEN_LENGTH = 43  # 32 bytes in unpadded base64url


def share_token(share_id: PydanticObjectId, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), _PURPOSE + share_id.binary, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
