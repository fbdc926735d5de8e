"""Reading plain HTML forms: every field as text, parsed by small helpers that refuse politely."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from zabota.errors import DomainError

MAX_INT = 2**31 - 1


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# `values: FormValues` in a route: the posted fields (files left out), read before the route runs.
FormValues = Annotated[dict[str, str], Depends(_form_values)]


def parse_int(value: str | None, *, default: int | None = None) -> int:
    text = (value or "").strip()
    if not text and default is not None:
        return default
    if not text.lstrip("-").isdigit() or len(text) > 10 or abs(int(text)) > MAX_INT:
        raise DomainError("{value} is not a whole number.", value=repr(text), code="bad_number")
    return int(text)


def parse_optional_int(value: str | None) -> int | None:
    return parse_int(value) if value is not None and value.strip() else None


def parse_bool(value: str | None) -> bool:
    """A checkbox or a hidden 0/1 field: present and not "0"/"false"/"off" is true."""
    return (value or "").strip().lower() not in ("", "0", "false", "off", "no")
