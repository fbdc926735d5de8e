"""Domain errors. Edges translate them: the API into problem+json, the CLI into one line.

A message is an English template with named fields, e.g.
`NotFound("Customer {customer_id} does not exist.", customer_id=7)`: the template is the
msgid of the i18n catalogs, so the API can answer in the caller's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses. `code` is stable for clients; the message is for people."""

    status = 400
    code = "invalid"

    def __init__(self, template: str, *, code: str | None = None, **params: Any) -> None:
        self.template = template
        self.params = params
        if code:
            self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    def translated(self, language: str) -> str:
        from zabota.i18n import gettext

        text = gettext(self.template, language)
        return text.format(**self.params) if self.params else text


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"
