"""Keyset (cursor) pagination shared by every list: stable under inserts, O(page) per request."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from zabota.errors import DomainError

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    """Decode a cursor made by `encode_cursor` with values of the given types."""
    invalid = DomainError("The cursor is not valid; start again from the first page.", code="bad_cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(values, list) or len(values) != len(types):
        raise invalid
    out: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        try:
            if kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError
                out.append(value)
            else:
                out.append(kind(value))
        except (TypeError, ValueError):
            raise invalid from None
    return tuple(out)


def clamp_limit(limit: int) -> int:
    if limit < 1:
        raise DomainError("limit must be at least 1.", code="bad_limit")
    return min(limit, MAX_PAGE_SIZE)
