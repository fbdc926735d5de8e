"""Users, browser sessions and API tokens: the only code that writes them."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zabota.auth.models import ApiToken, User, UserSession
from zabota.auth.roles import Role
from zabota.auth.secrets import (
    digests_equal,
    hash_password,
    issue_token,
    password_needs_rehash,
    split_token,
    token_digest,
    verify_password,
)
from zabota.db import utcnow
from zabota.errors import Conflict, DomainError, NotFound, Unauthorized
from zabota.events.actions import Actor, record_event

MIN_PASSWORD_LENGTH = 8
HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOKEN_SCOPES = ("read", "write")
LANGUAGES = ("ru", "en")
MAX_CAPACITY = 1000


def _check_profile(name: str | None, language: str | None, capacity: int | None) -> None:
    if name is not None and not name.strip():
        raise DomainError("A user needs a name.", code="empty_name")
    if language is not None and language not in LANGUAGES:
        raise DomainError("Language must be one of {names}.", names=", ".join(LANGUAGES), code="bad_language")
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise DomainError("Capacity must be between 0 and {limit}.", limit=MAX_CAPACITY, code="bad_capacity")


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "Password must be at least {limit} characters long.", limit=MIN_PASSWORD_LENGTH, code="weak_password"
        )


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError(
            "Role must be one of {names}.", names=", ".join(r.value for r in Role), code="bad_role"
        ) from None


def _default_handle(session: Session, email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower()) or "user"
    handle, n = base[:60], 1
    while session.scalar(select(User.id).where(User.handle == handle)) is not None:
        n += 1
        handle = f"{base[:56]}{n}"
    return handle


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: Role | str,
    password: str,
    handle: str | None = None,
    language: str = "ru",
    capacity: int = 10,
) -> User:
    email = email.strip().lower()
    if "@" not in email.strip("@"):
        raise DomainError("Enter a valid email address.", code="bad_email")
    role = _role(role)
    _check_profile(name, language, capacity)
    _check_password_strength(password)
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict("A user with the email {email} already exists.", email=email, code="email_taken")
    if handle is not None:
        handle = handle.lower()
        if not HANDLE_RE.match(handle):
            raise DomainError("Handle may contain only latin letters, digits, dot, dash and underscore.")
        if session.scalar(select(User.id).where(User.handle == handle)) is not None:
            raise Conflict("The handle @{handle} is taken.", handle=handle, code="handle_taken")
    user = User(
        email=email,
        name=name.strip(),
        role=role.value,
        password_hash=hash_password(password),
        handle=handle or _default_handle(session, email),
        language=language,
        capacity=capacity,
    )
    session.add(user)
    session.flush()
    record_event(session, "user.created", actor, "user", user.id, {"email": email, "role": role.value})
    return user


def update_user(
    session: Session,
    actor: Actor,
    user: User,
    *,
    name: str | None = None,
    role: Role | str | None = None,
    language: str | None = None,
    is_active: bool | None = None,
    capacity: int | None = None,
) -> User:
    _check_profile(name, language, capacity)
    role = _role(role) if role is not None else None
    changes: dict[str, object] = {}
    leaves_admins = (role is not None and role != Role.ADMIN) or is_active is False
    if user.role == Role.ADMIN and user.is_active and leaves_admins:
        _check_admin_remains(session, user)
    if name is not None and name.strip() != user.name:
        name = name.strip()
        changes["name"] = name
        user.name = name
    if role is not None and Role(role).value != user.role:
        changes["role"] = {"from": user.role, "to": Role(role).value}
        user.role = Role(role).value
    if language is not None and language != user.language:
        changes["language"] = language
        user.language = language
    if capacity is not None and capacity != user.capacity:
        changes["capacity"] = capacity
        user.capacity = capacity
    if is_active is not None and is_active != user.is_active:
        changes["is_active"] = is_active
        user.is_active = is_active
        if not is_active:
            _end_all_sessions(session, user)
    if changes:
        record_event(session, "user.updated", actor, "user", user.id, changes)
    return user


def change_password(
    session: Session, actor: Actor, user: User, *, current: str, new: str, keep: UserSession | None = None
) -> None:
    """One's own password; every other browser session of the user ends (`keep` is the caller's)."""
    if not verify_password(user.password_hash, current):
        raise DomainError("The current password is not correct.", code="wrong_password")
    _check_password_strength(new)
    user.password_hash = hash_password(new)
    _end_all_sessions(session, user, keep=keep)
    record_event(session, "user.password_changed", actor, "user", user.id)


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    """An administrator resetting someone's password; ends their sessions."""
    _check_password_strength(password)
    user.password_hash = hash_password(password)
    _end_all_sessions(session, user)
    record_event(session, "user.password_reset", actor, "user", user.id)


def _end_all_sessions(session: Session, user: User, keep: UserSession | None = None) -> None:
    for row in session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        if keep is None or row.id != keep.id:
            session.delete(row)


def _check_admin_remains(session: Session, user: User) -> None:
    """Demoting or deactivating the last active administrator would lock everyone out of settings."""
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user.id)
    )
    if not others:
        raise Conflict("At least one active administrator must remain.", code="last_admin")


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthorized("Wrong email or password.", code="bad_credentials")
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    row: UserSession


def start_session(session: Session, user: User, *, days: int, user_agent: str = "", ip: str = "") -> NewSession:
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        token_hash=token_digest(token),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(days=days),
        user_agent=user_agent[:300],
        ip=ip[:64],
    )
    session.add(row)
    user.last_login_at = utcnow()
    session.flush()
    record_event(session, "user.logged_in", Actor.user(user.id), "user", user.id, {"ip": ip})
    return NewSession(token, row.csrf_token, row)


def resolve_session(session: Session, token: str) -> UserSession | None:
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row


def end_session(session: Session, token: str) -> None:
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    if row is not None:
        record_event(session, "user.logged_out", Actor.user(row.user_id), "user", row.user_id)
        session.delete(row)


@dataclass(frozen=True)
class NewApiToken:
    plaintext: str
    row: ApiToken


def create_api_token(
    session: Session, actor: Actor, user: User, *, name: str, scope: str, expires_in_days: int | None = None
) -> NewApiToken:
    if scope not in TOKEN_SCOPES:
        raise DomainError("Scope must be one of: {names}.", names=", ".join(TOKEN_SCOPES), code="bad_scope")
    issued = issue_token("zbt")
    row = ApiToken(
        user_id=user.id,
        name=name.strip() or "token",
        prefix=issued.prefix,
        token_hash=issued.digest,
        scope=scope,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    session.flush()
    record_event(
        session, "api_token.created", actor, "api_token", row.id, {"user_id": user.id, "scope": scope, "name": name}
    )
    return NewApiToken(issued.plaintext, row)


def revoke_api_token(session: Session, actor: Actor, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(session, "api_token.revoked", actor, "api_token", token.id, {"user_id": token.user_id})


def resolve_api_token(session: Session, plaintext: str) -> ApiToken | None:
    parts = split_token(plaintext)
    if parts is None or not plaintext.startswith("zbt_"):
        return None
    prefix, secret = parts
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    now = utcnow()
    if (
        row is None
        or not digests_equal(row.token_hash, token_digest(secret))
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not row.user.is_active
    ):
        return None
    # Coarse last-used time: one write per minute per token, not per request.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User {user_id} does not exist.", user_id=user_id)
    return user
