"""Configuration from the environment and `.env`.

Settings are read once per process (`get_settings`). A missing SECRET_KEY is generated on first
run and stored under the data directory so that sessions, encrypted inbox secrets and signed
cursors survive restarts.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class ConfigurationError(Exception):
    """Raised with one human-readable line naming the offending setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="ZABOTA_DATA_DIR")
    database_url: str = Field(default="", alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    secret_key: str = Field(default="", alias="SECRET_KEY")
    default_language: Literal["ru", "en"] = Field(default="ru", alias="DEFAULT_LANGUAGE")
    timezone: str = Field(default="Europe/Moscow", alias="TIMEZONE")
    max_body_bytes: int = Field(default=1_048_576, alias="MAX_BODY_BYTES", ge=1024)
    attachment_max_bytes: int = Field(default=10_485_760, alias="ATTACHMENT_MAX_BYTES", ge=1024)
    login_rate_limit: str = Field(default="10/minute", alias="LOGIN_RATE_LIMIT")
    help_feedback_rate_limit: str = Field(default="30/minute", alias="HELP_FEEDBACK_RATE_LIMIT")
    # Per widget visitor (messages and files) and per client address (new chat sessions).
    widget_send_rate_limit: str = Field(default="30/minute", alias="WIDGET_SEND_RATE_LIMIT")
    widget_session_rate_limit: str = Field(default="30/minute", alias="WIDGET_SESSION_RATE_LIMIT")
    session_days: int = Field(default=14, alias="SESSION_DAYS", ge=1)
    run_jobs_in_process: bool = Field(default=True, alias="RUN_JOBS_IN_PROCESS")
    db_pool_size: int = Field(default=10, alias="DB_POOL_SIZE", ge=1)
    # Threads per server process for blocking request handlers; more threads than pooled
    # database connections only queue on the pool while contending for the GIL.
    http_threads: int = Field(default=10, alias="HTTP_THREADS", ge=1, le=200)
    # Group commit of pushed messages (zabota.conversations.group_commit): the most messages
    # in one transaction, and how many such transactions one process runs at once.
    ingest_batch_max: int = Field(default=64, alias="INGEST_BATCH_MAX", ge=1, le=1000)
    ingest_batches_in_flight: int = Field(default=1, alias="INGEST_BATCHES_IN_FLIGHT", ge=1, le=50)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (expected an IANA name such as Europe/Moscow)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        if value.startswith(("postgres://", "postgresql://")):
            # One driver for the whole product: psycopg 3.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _fill_defaults(settings: Settings) -> Settings:
    """Derive the SQLite path and the persistent secret key from the data directory."""
    data_dir = settings.data_dir
    if not settings.database_url:
        data_dir.mkdir(parents=True, exist_ok=True)
        settings.database_url = f"sqlite:///{(data_dir / 'zabota.db').resolve()}"
    if not settings.secret_key:
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        settings.secret_key = key_file.read_text().strip()
    if len(settings.secret_key) < 32:
        raise ConfigurationError("SECRET_KEY: must be at least 32 characters long")
    return settings


def load_settings() -> Settings:
    """Read settings, turning validation errors into one line that names the setting."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "configuration"
        alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{(alias or field).upper()}: {message}") from None
    return _fill_defaults(settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
