"""Job handlers by name.

A handler is `handler(session, payload, job) -> None`. It runs inside the same transaction that
marks the job done, so everything it writes through `session` commits together with the
completion, or not at all: for database effects a job takes effect exactly once, even when a
worker crashes mid-job and another one runs it again. Effects outside the database (an HTTP call,
an email) can happen more than once in that case; handlers pass `job.id` (or a key derived from
it) to the other side as an idempotency key, or record what they sent and check before sending.

Handlers are registered at import time with `@job("area.action")`. A worker only knows the
handlers of the modules it imported: `autodiscover()` imports every `zabota.<package>.tasks`.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from zabota.jobs.models import Job

Handler = Callable[[Session, dict[str, Any], "Job"], None]
H = TypeVar("H", bound=Handler)

MAX_NAME_LENGTH = 100
_handlers: dict[str, Handler] = {}


def job(name: str) -> Callable[[H], H]:
    """Register the decorated function as the handler of jobs called `name`."""
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"job name must be 1..{MAX_NAME_LENGTH} characters: {name!r}")

    def decorator(func: H) -> H:
        existing = _handlers.get(name)
        if existing is not None and _qualified(existing) != _qualified(func):
            raise ValueError(f"job {name!r} is already handled by {_qualified(existing)}")
        _handlers[name] = func
        return func

    return decorator


def get_handler(name: str) -> Handler | None:
    return _handlers.get(name)


def registered_names() -> list[str]:
    return sorted(_handlers)


def autodiscover(package: str = "zabota", module_name: str = "tasks") -> list[str]:
    """Import `<package>.<sub>.<module_name>` for every sub-package that has one."""
    root = importlib.import_module(package)
    imported: list[str] = []
    for info in pkgutil.iter_modules(root.__path__):
        if not info.ispkg:
            continue
        candidate = f"{package}.{info.name}.{module_name}"
        if importlib.util.find_spec(candidate) is not None:
            importlib.import_module(candidate)
            imported.append(candidate)
    return imported


def _qualified(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"
