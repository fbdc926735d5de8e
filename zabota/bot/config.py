"""The bot's per-inbox configuration, `Inbox.settings["bot"]`, and its job names.

    {"enabled": true, "threshold": 0.5, "max_answers": 2, "departments": {"returns": 3}}

* `enabled`: the bot takes the inbox's new conversations first (any channel type may enable it).
* `threshold`: the least search confidence (0..1, `zabota.helpcenter.search.confidence`) at which
  the bot answers from the help center; below it the conversation goes to a person at once.
  The default, 0.5, is calibrated on the demo help center (docs/adr/0005-first-line-bot.md).
* `max_answers`: bot answers in a row; the customer's next message after them goes to a person.
* `departments`: help category slug → department id, where a hand-off on that topic goes;
  topics not listed go to the inbox's default department.

This module imports nothing of the conversations domain, so channels and conversations can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zabota.errors import DomainError

RESPOND_JOB = "bot.respond"
RESOLVED_JOB = "bot.check_resolved"
IDLE_JOB = "bot.check_idle"
DEFAULT_THRESHOLD = 0.5
DEFAULT_MAX_ANSWERS = 2
MAX_ANSWERS_LIMIT = 5
KEYS = ("enabled", "threshold", "max_answers", "departments")


@dataclass(frozen=True)
class BotSettings:
    enabled: bool = False
    threshold: float = DEFAULT_THRESHOLD
    max_answers: int = DEFAULT_MAX_ANSWERS
    departments: dict[str, int] = field(default_factory=dict)


def validate_bot_settings(value: Any) -> dict[str, Any]:
    """The normalised `settings["bot"]` of an inbox; DomainError on anything else."""
    if not isinstance(value, dict):
        raise DomainError("The bot settings must be an object.", code="bad_bot_settings")
    unknown = set(value) - set(KEYS)
    if unknown:
        raise DomainError("Unknown bot settings: {names}.", names=", ".join(sorted(unknown)), code="bad_bot_settings")
    enabled = value.get("enabled", False)
    if not isinstance(enabled, bool):
        raise DomainError("The bot's enabled setting must be true or false.", code="bad_bot_settings")
    threshold = value.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise DomainError("The bot's threshold must be a number from 0 to 1.", code="bad_bot_settings")
    max_answers = value.get("max_answers", DEFAULT_MAX_ANSWERS)
    if isinstance(max_answers, bool) or not isinstance(max_answers, int) or not 1 <= max_answers <= MAX_ANSWERS_LIMIT:
        raise DomainError(
            "The bot may give from 1 to {limit} answers in a row.", limit=MAX_ANSWERS_LIMIT, code="bad_bot_settings"
        )
    departments = value.get("departments", {})
    if not isinstance(departments, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v > 0 for k, v in departments.items()
    ):
        raise DomainError(
            "The bot's departments must map help category slugs to department ids.", code="bad_bot_settings"
        )
    return {"enabled": enabled, "threshold": float(threshold), "max_answers": max_answers, "departments": departments}


def bot_settings(settings: dict[str, Any] | None) -> BotSettings:
    """The bot configuration stored in an inbox's settings (defaults when absent)."""
    raw = (settings or {}).get("bot")
    if not isinstance(raw, dict):
        return BotSettings()
    return BotSettings(
        enabled=bool(raw.get("enabled", False)),
        threshold=float(raw.get("threshold", DEFAULT_THRESHOLD)),
        max_answers=int(raw.get("max_answers", DEFAULT_MAX_ANSWERS)),
        departments={str(k): int(v) for k, v in dict(raw.get("departments") or {}).items()},
    )


def bot_enabled(settings: dict[str, Any] | None) -> bool:
    raw = (settings or {}).get("bot")
    return isinstance(raw, dict) and raw.get("enabled") is True
