"""Sealing inbox credentials at rest with a key derived from SECRET_KEY."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from zabota.config import get_settings
from zabota.errors import DomainError


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zabota-inbox-secrets", info=b"v1").derive(
        get_settings().secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secrets: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(secrets).encode()).decode() if secrets else ""


def unseal(sealed: str) -> dict[str, Any]:
    if not sealed:
        return {}
    try:
        data: dict[str, Any] = json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken:
        raise DomainError(
            "Inbox credentials cannot be decrypted: SECRET_KEY changed since they were saved.",
            code="secrets_unreadable",
        ) from None
    return data
