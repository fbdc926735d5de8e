"""Password hashing (argon2) and random tokens stored only as hashes.

API, session and inbox tokens are long random strings, so a fast SHA-256 of them is safe to store
and cheap to check on every request; passwords are low-entropy and get argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `plaintext` is shown once; `prefix` finds the row; `digest` is stored."""

    plaintext: str
    prefix: str
    digest: str


def issue_token(kind: str) -> IssuedToken:
    """`kind` is a short label that makes leaked tokens recognisable, e.g. "zbt" or "zbi"."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(f"{kind}_{prefix}_{secret}", prefix, token_digest(secret))


def split_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token issued by `issue_token`, or None if it is malformed."""
    parts = token.split("_", 2)
    if len(parts) != 3 or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]
