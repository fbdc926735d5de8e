"""The Settings area (admin, supervisor): users, departments, canned replies, SLA, API tokens, inboxes.

Plain forms, posted and answered with a redirect (Post/Redirect/Get) and a notice; a refused form
is shown again with the submitted values and the reason next to it, in the reader's language.
Secrets (a new API token, an inbox token) are shown once, on the page that answers the form,
never put in a URL. Each page and form names its permission; the matrix test walks them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.api.deps import SESSION_COOKIE, DbSession, Principal
from zabota.assignment.actions import AVAILABILITIES, loads, presences
from zabota.auth import actions as auth
from zabota.auth.models import ApiToken, User
from zabota.auth.roles import Permission, Role, role_has
from zabota.canned import actions as canned
from zabota.canned.models import CannedReply
from zabota.canned.render import PLACEHOLDERS, ReplyContext, render_template, validate_template
from zabota.channels import actions as channels
from zabota.departments import actions as departments
from zabota.departments.models import Department, DepartmentMember
from zabota.errors import DomainError
from zabota.i18n import N_
from zabota.org.actions import WEEKDAYS, get_organization, update_organization
from zabota.sla import actions as sla
from zabota.web.deps import page
from zabota.web.forms import FormValues, parse_bool, parse_int, parse_optional_int
from zabota.web.presence import header_context
from zabota.web.render import env, language_for, render

router = APIRouter(include_in_schema=False)
P = Permission
# Every page's navigation shows Settings only to roles that may open it (the inbox's top bar too).
env.globals.update(role_has=role_has, P=Permission)

# (key, title, permission to see the page); the navigation shows the ones the reader's role allows.
SECTIONS: tuple[tuple[str, str, Permission], ...] = (
    ("users", N_("Users and roles"), P.USERS_MANAGE),
    ("departments", N_("Departments"), P.DEPARTMENTS_MANAGE),
    ("canned", N_("Canned replies"), P.CANNED_MANAGE),
    ("sla", N_("SLA and business hours"), P.SLA_MANAGE),
    ("tokens", N_("API tokens"), P.USERS_MANAGE),
    ("inboxes", N_("Inboxes"), P.INBOXES_READ),
)
# What a redirect after a successful form says (`?done=<key>`): fixed texts, nothing from the URL is shown.
NOTICES = {
    "user_created": N_("The user was created; they can sign in now."),
    "user_saved": N_("The user was saved."),
    "user_activated": N_("The user can sign in again."),
    "user_deactivated": N_("The user was deactivated and signed out everywhere."),
    "password_reset": N_("The password was reset; the user was signed out everywhere."),
    "department_created": N_("The department was created."),
    "department_saved": N_("The department was saved."),
    "member_added": N_("The member was added."),
    "member_removed": N_("The member was removed."),
    "capacity_saved": N_("The capacity was saved."),
    "isolation_saved": N_("Department isolation was saved."),
    "canned_created": N_("The canned reply was created."),
    "canned_saved": N_("The canned reply was saved."),
    "canned_deleted": N_("The canned reply was deleted."),
    "calendar_saved": N_("Business hours were saved; SLA due times are being recomputed."),
    "policy_saved": N_("The SLA policy was saved."),
    "policy_cleared": N_("The SLA policy was removed."),
    "token_revoked": N_("The token was revoked."),
    "inbox_saved": N_("The inbox was saved."),
    "widget_created": N_("The web chat was created: put its snippet on your site."),
    "inbox_activated": N_("The inbox accepts messages again."),
    "inbox_deactivated": N_("The inbox was deactivated; its token no longer works."),
}
WEEKDAY_NAMES = {
    "mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
    "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday"),
}  # fmt: skip
POLICY_NAMES = {"off": N_("Off"), "round_robin": N_("Round-robin"), "least_loaded": N_("Least loaded")}
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}
SCOPE_NAMES = {"read": N_("read only"), "write": N_("read and write")}
# What the canned-reply preview fills the placeholders with.
SAMPLE_CUSTOMER = {"ru": "Ольга Петрова", "en": "Olga Petrova"}
SAMPLE_ORDER = "1042"


class Form:
    """One settings form being handled: its savepoint, its error and the values to show again."""

    def __init__(self, session: Session, principal: Principal, name: str, values: dict[str, str]) -> None:
        self.session = session
        self.principal = principal
        self.name = name
        self.values = values
        self.error: DomainError | None = None

    def run(self, action: Callable[[], Any]) -> Any:
        savepoint = self.session.begin_nested()
        try:
            result = action()
            savepoint.commit()
            return result
        except DomainError as exc:
            savepoint.rollback()
            self.error = exc
            return None


def _done(url: str, notice: str) -> RedirectResponse:
    joiner = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{joiner}done={notice}", status_code=303)


def _sections(role: str) -> list[tuple[str, str]]:
    return [(key, title) for key, title, permission in SECTIONS if role_has(role, permission)]


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    section: str,
    context: dict[str, Any],
    form: Form | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    org = get_organization(session)
    user = principal.user
    language = language_for(request, user)  # the page's own language, so errors read like the page
    errors: dict[str, str] = {}
    if form is not None and form.error is not None:
        errors[form.name] = form.error.translated(language)
        status = form.error.status
    notice = NOTICES.get(request.query_params.get("done", ""))
    full = {
        **header_context(session, principal),
        "timezone": org.timezone,
        "org": org,
        "section": section,
        "sections": _sections(user.role),
        "can": lambda permission: role_has(user.role, permission),
        "notice": notice,
        "errors": errors,
        "form_name": form.name if form is not None else "",
        "values": form.values if form is not None and form.error is not None else {},
        **context,
    }
    return render(request, f"settings/{section}.html", full, status=status)


@router.get("/settings", response_model=None)
def settings_home(principal: Principal = page(P.SETTINGS_READ)) -> Response:
    sections = _sections(principal.user.role)
    if not sections:  # a role with Settings but no page in it: nothing to show
        return RedirectResponse("/account", status_code=303)
    return RedirectResponse(f"/settings/{sections[0][0]}", status_code=303)


# --- users and roles --------------------------------------------------------------------------


def _users_context(session: Session) -> dict[str, Any]:
    users = list(session.scalars(select(User).order_by(User.is_active.desc(), User.name)))
    return {"users": users, "roles": [r.value for r in Role], "languages": LANGUAGE_NAMES}


@router.get("/settings/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, principal: Principal = page(P.USERS_MANAGE)) -> HTMLResponse:
    return _page(request, session, principal, "users", _users_context(session))


@router.post("/settings/users", response_model=None)
def create_user(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.USERS_MANAGE)
) -> Response:
    form = Form(session, principal, "create", values)
    form.run(
        lambda: auth.create_user(
            session,
            principal.actor,
            email=values.get("email", ""),
            name=values.get("name", ""),
            role=values.get("role", ""),
            password=values.get("password", ""),
            handle=values.get("handle", "").strip().lstrip("@") or None,
            language=values.get("language", "ru"),
            capacity=parse_int(values.get("capacity", ""), default=10),
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "users", _users_context(session), form)
    return _done("/settings/users", "user_created")


@router.post("/settings/users/{user_id}", response_model=None)
def update_user(
    user_id: int, request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.USERS_MANAGE)
) -> Response:
    target = auth.get_user(session, user_id)
    form = Form(session, principal, f"user-{user_id}", values)
    form.run(
        lambda: auth.update_user(
            session,
            principal.actor,
            target,
            name=values.get("name"),
            role=values.get("role") or None,
            language=values.get("language") or None,
            capacity=parse_optional_int(values.get("capacity")),
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "users", _users_context(session), form)
    return _done("/settings/users", "user_saved")


@router.post("/settings/users/{user_id}/active", response_model=None)
def set_user_active(
    user_id: int, request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.USERS_MANAGE)
) -> Response:
    target = auth.get_user(session, user_id)
    active = parse_bool(values.get("active", ""))
    form = Form(session, principal, f"user-{user_id}", values)
    form.run(lambda: auth.update_user(session, principal.actor, target, is_active=active))
    if form.error is not None:
        return _page(request, session, principal, "users", _users_context(session), form)
    return _done("/settings/users", "user_activated" if active else "user_deactivated")


@router.post("/settings/users/{user_id}/password", response_model=None)
def reset_password(
    user_id: int, request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.USERS_MANAGE)
) -> Response:
    target = auth.get_user(session, user_id)
    form = Form(session, principal, f"password-{user_id}", values)
    form.run(lambda: auth.set_password(session, principal.actor, target, values.get("password", "")))
    if form.error is not None:
        return _page(request, session, principal, "users", _users_context(session), form)
    if target.id == principal.user.id:  # one's own sessions ended too: sign in again
        return RedirectResponse("/login", status_code=303)
    return _done("/settings/users", "password_reset")


# --- departments and members ------------------------------------------------------------------


def _departments_context(session: Session) -> dict[str, Any]:
    all_departments = list(session.scalars(select(Department).order_by(Department.name)))
    users = {u.id: u for u in session.scalars(select(User).order_by(User.name))}
    members: dict[int, list[User]] = {d.id: [] for d in all_departments}
    for row in session.execute(select(DepartmentMember.department_id, DepartmentMember.user_id)):
        if row.user_id in users:
            members.setdefault(row.department_id, []).append(users[row.user_id])
    for group in members.values():
        group.sort(key=lambda u: u.name)
    people = [u for u in users.values() if u.is_active]
    return {
        "departments": all_departments,
        "members": members,
        "people": people,
        "member_presence": presences(session, people),
        "load": loads(session, [u.id for u in people]),
        "policies": POLICY_NAMES,
        "availabilities": AVAILABILITIES,
    }


@router.get("/settings/departments", response_class=HTMLResponse)
def departments_page(
    request: Request, session: DbSession, principal: Principal = page(P.DEPARTMENTS_MANAGE)
) -> HTMLResponse:
    return _page(request, session, principal, "departments", _departments_context(session))


@router.post("/settings/departments", response_model=None)
def create_department(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.DEPARTMENTS_MANAGE)
) -> Response:
    form = Form(session, principal, "create", values)
    form.run(
        lambda: departments.create_department(
            session,
            principal.actor,
            name=values.get("name", ""),
            description=values.get("description", "").strip(),
            auto_assignment=values.get("auto_assignment", "off"),
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "departments", _departments_context(session), form)
    return _done("/settings/departments", "department_created")


@router.post("/settings/departments/isolation", response_model=None)
def set_isolation(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.ORGANIZATION_MANAGE)
) -> Response:
    update_organization(session, principal.actor, department_isolation=parse_bool(values.get("isolation", "")))
    return _done("/settings/departments", "isolation_saved")


@router.post("/settings/departments/{department_id}", response_model=None)
def update_department(
    department_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.DEPARTMENTS_MANAGE),
) -> Response:
    department = departments.get_department(session, department_id)
    form = Form(session, principal, f"department-{department_id}", values)
    form.run(
        lambda: departments.update_department(
            session,
            principal.actor,
            department,
            name=values.get("name"),
            description=values.get("description", "").strip() if "description" in values else None,
            auto_assignment=values.get("auto_assignment") or None,
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "departments", _departments_context(session), form)
    return _done("/settings/departments", "department_saved")


@router.post("/settings/departments/{department_id}/members", response_model=None)
def add_member(
    department_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.DEPARTMENTS_MANAGE),
) -> Response:
    department = departments.get_department(session, department_id)
    form = Form(session, principal, f"members-{department_id}", values)
    form.run(
        lambda: departments.add_member(
            session, principal.actor, department, auth.get_user(session, parse_int(values.get("user_id", "")))
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "departments", _departments_context(session), form)
    return _done("/settings/departments", "member_added")


@router.post("/settings/departments/{department_id}/members/{user_id}/remove", response_model=None)
def remove_member(
    department_id: int, user_id: int, session: DbSession, principal: Principal = page(P.DEPARTMENTS_MANAGE)
) -> Response:
    department = departments.get_department(session, department_id)
    departments.remove_member(session, principal.actor, department, auth.get_user(session, user_id))
    return _done("/settings/departments", "member_removed")


@router.post("/settings/capacity/{user_id}", response_model=None)
def set_capacity(
    user_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.DEPARTMENTS_MANAGE),
) -> Response:
    """How many conversations a person carries at once: auto-assignment's limit (supervisors set it)."""
    target = auth.get_user(session, user_id)
    form = Form(session, principal, f"capacity-{user_id}", values)
    form.run(lambda: auth.update_user(session, principal.actor, target, capacity=parse_int(values.get("capacity", ""))))
    if form.error is not None:
        return _page(request, session, principal, "departments", _departments_context(session), form)
    return _done("/settings/departments", "capacity_saved")


# --- canned replies ---------------------------------------------------------------------------


def _canned_context(session: Session, request: Request) -> dict[str, Any]:
    q = (request.query_params.get("q") or "").strip()[:100]
    language = request.query_params.get("language") or None
    replies = canned.search_canned(
        session, q, language=language if language in canned.LANGUAGES else None, any_department=True, limit=100
    )
    edit = request.query_params.get("edit", "")
    editing = session.get(CannedReply, int(edit)) if edit.isdigit() and len(edit) < 12 else None
    return {
        "replies": replies,
        "q": q,
        "filter_language": language or "",
        "editing": editing,
        "departments": {d.id: d for d in session.scalars(select(Department).order_by(Department.name))},
        "languages": LANGUAGE_NAMES,
        "placeholders": [f"{{{{{group}.{name}}}}}" for group, names in PLACEHOLDERS.items() for name in names],
    }


def _canned_fields(values: dict[str, str]) -> dict[str, Any]:
    department = values.get("department_id", "")
    return {
        "title": values.get("title", ""),
        "shortcut": values.get("shortcut", ""),
        "body": values.get("body", ""),
        "language": values.get("language", ""),
        "department_id": parse_int(department) if department else None,
    }


@router.get("/settings/canned", response_class=HTMLResponse)
def canned_page(request: Request, session: DbSession, principal: Principal = page(P.CANNED_MANAGE)) -> HTMLResponse:
    return _page(request, session, principal, "canned", _canned_context(session, request))


@router.post("/settings/canned", response_model=None)
def create_canned(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.CANNED_MANAGE)
) -> Response:
    form = Form(session, principal, "create", values)
    form.run(
        lambda: canned.create_canned(session, principal.actor, created_by=principal.user, **_canned_fields(values))
    )
    if form.error is not None:
        return _page(request, session, principal, "canned", _canned_context(session, request), form)
    return _done("/settings/canned", "canned_created")


@router.post("/settings/canned/preview", response_class=HTMLResponse)
def preview_canned(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.CANNED_MANAGE)
) -> HTMLResponse:
    """The body as a sample customer would read it, or what is wrong with it (an htmx fragment)."""
    body = values.get("body", "")
    language = values.get("language") if values.get("language") in LANGUAGE_NAMES else principal.user.language
    context = ReplyContext(
        customer_name=SAMPLE_CUSTOMER.get(language or "", SAMPLE_CUSTOMER["en"]),
        customer_attributes={"last_order": SAMPLE_ORDER},
        operator_name=principal.user.name,
        conversation_id=1234,
    )
    error, text = "", ""
    try:
        validate_template(body)
        text = render_template(body, context)
    except DomainError as exc:
        error = exc.translated(principal.user.language)
    return render(
        request, "settings/_preview.html", {"user": principal.user, "text": text, "error": error, "sample": context}
    )


@router.post("/settings/canned/{canned_id}", response_model=None)
def update_canned(
    canned_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.CANNED_MANAGE),
) -> Response:
    reply = canned.get_canned(session, canned_id)
    form = Form(session, principal, "edit", values)
    form.run(lambda: canned.update_canned(session, principal.actor, reply, **_canned_fields(values)))
    if form.error is not None:
        context = {**_canned_context(session, request), "editing": reply}
        return _page(request, session, principal, "canned", context, form)
    return _done("/settings/canned", "canned_saved")


@router.post("/settings/canned/{canned_id}/delete", response_model=None)
def delete_canned(canned_id: int, session: DbSession, principal: Principal = page(P.CANNED_MANAGE)) -> Response:
    canned.delete_canned(session, principal.actor, canned.get_canned(session, canned_id))
    return _done("/settings/canned", "canned_deleted")


# --- SLA and business hours -------------------------------------------------------------------


def format_hours(ranges: list[list[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in ranges)


def parse_hours(text: str) -> list[list[str]]:
    """ "09:00-13:00, 14:00-18:00" → [["09:00", "13:00"], ["14:00", "18:00"]]; empty: closed."""
    ranges = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start, sep, end = part.replace("–", "-").replace("—", "-").partition("-")
        if not sep:
            raise DomainError("Write business hours as ranges like 09:00-18:00, separated by commas.", code="bad_hours")
        ranges.append([_hhmm(start.strip()), _hhmm(end.strip())])
    return ranges


def _hhmm(value: str) -> str:
    hours, _, minutes = value.partition(":")
    if hours.isdigit() and (minutes.isdigit() or not minutes) and len(hours) <= 2 and len(minutes) in (0, 2):
        return f"{int(hours):02d}:{minutes or '00'}"
    return value  # the domain names the exact problem


def parse_holidays(text: str) -> list[str]:
    """One ISO date per line (anything after the date is a comment)."""
    days: set[str] = set()
    for line in text.splitlines():
        word = line.strip().split(" ", 1)[0] if line.strip() else ""
        if not word:
            continue
        try:
            days.add(date.fromisoformat(word).isoformat())
        except ValueError:
            raise DomainError(
                "Holiday {value} is not a date; write one date per line, like 2026-01-07.", value=repr(word)
            ) from None
    return sorted(days)


def _sla_context(session: Session) -> dict[str, Any]:
    org = get_organization(session)
    return {
        "departments": list(session.scalars(select(Department).order_by(Department.name))),
        "policies": {p.department_id: p for p in sla.list_policies(session)},
        "weekdays": [(day, WEEKDAY_NAMES[day], format_hours(org.business_hours.get(day) or [])) for day in WEEKDAYS],
        "holidays": "\n".join(str(h.get("date") if isinstance(h, dict) else h) for h in org.holidays),
        "timezones": sorted(available_timezones()),
    }


@router.get("/settings/sla", response_class=HTMLResponse)
def sla_page(request: Request, session: DbSession, principal: Principal = page(P.SLA_MANAGE)) -> HTMLResponse:
    return _page(request, session, principal, "sla", _sla_context(session))


@router.post("/settings/sla/calendar", response_model=None)
def save_calendar(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.ORGANIZATION_MANAGE)
) -> Response:
    form = Form(session, principal, "calendar", values)

    def save() -> None:
        hours = {day: parse_hours(values.get(f"hours_{day}", "")) for day in WEEKDAYS}
        update_organization(
            session,
            principal.actor,
            timezone=values.get("timezone", "").strip(),
            business_hours=hours,
            holidays=parse_holidays(values.get("holidays", "")),
        )

    form.run(save)
    if form.error is not None:
        return _page(request, session, principal, "sla", _sla_context(session), form)
    return _done("/settings/sla", "calendar_saved")


@router.post("/settings/sla/{department_id}", response_model=None)
def save_policy(
    department_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.SLA_MANAGE),
) -> Response:
    department = departments.get_department(session, department_id)
    form = Form(session, principal, f"policy-{department_id}", values)
    resolution = values.get("resolution", "none")
    form.run(
        lambda: sla.set_policy(
            session,
            principal.actor,
            department,
            first_reply_minutes=parse_optional_int(values.get("first_reply_minutes")),
            resolution_hours=parse_optional_int(values.get("resolution_hours")) if resolution == "hours" else None,
            resolution_same_day=resolution == "same_day",
            business_hours_only=parse_bool(values.get("business_hours_only", "")),
            active=parse_bool(values.get("active", "")),
        )
    )
    if form.error is not None:
        return _page(request, session, principal, "sla", _sla_context(session), form)
    return _done("/settings/sla", "policy_saved")


@router.post("/settings/sla/{department_id}/clear", response_model=None)
def clear_policy(department_id: int, session: DbSession, principal: Principal = page(P.SLA_MANAGE)) -> Response:
    sla.clear_policy(session, principal.actor, departments.get_department(session, department_id))
    return _done("/settings/sla", "policy_cleared")


# --- API tokens -------------------------------------------------------------------------------


def _tokens_context(session: Session) -> dict[str, Any]:
    return {
        "tokens": list(
            session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc()))
        ),
        "people": list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name))),
        "scopes": auth.TOKEN_SCOPES,
        "scope_names": SCOPE_NAMES,
        "created": None,
    }


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: DbSession, principal: Principal = page(P.USERS_MANAGE)) -> HTMLResponse:
    return _page(request, session, principal, "tokens", _tokens_context(session))


@router.post("/settings/tokens", response_model=None)
def create_token(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.USERS_MANAGE)
) -> Response:
    """A token acting as the chosen user; its plaintext is on this answer only, never stored."""
    form = Form(session, principal, "create", values)
    owner_id = values.get("user_id", "")
    created = form.run(
        lambda: auth.create_api_token(
            session,
            principal.actor,
            auth.get_user(session, parse_int(owner_id)) if owner_id else principal.user,
            name=values.get("name", ""),
            scope=values.get("scope", ""),
            expires_in_days=parse_optional_int(values.get("expires_in_days")),
        )
    )
    context = {**_tokens_context(session), "created": created}
    response = _page(request, session, principal, "tokens", context, form, status=201 if created else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/settings/tokens/{token_id}/revoke", response_model=None)
def revoke_token(token_id: int, session: DbSession, principal: Principal = page(P.USERS_MANAGE)) -> Response:
    token = session.get(ApiToken, token_id)
    if token is None:
        from zabota.errors import NotFound

        raise NotFound("API token {token_id} does not exist.", token_id=token_id)
    auth.revoke_api_token(session, principal.actor, token)
    return _done("/settings/tokens", "token_revoked")


# --- inboxes ----------------------------------------------------------------------------------


def _inboxes_context(session: Session) -> dict[str, Any]:
    return {
        "inboxes": channels.list_inboxes(session),
        "departments": {d.id: d for d in session.scalars(select(Department).order_by(Department.name))},
        "new_token": None,
        "token_inbox": None,
        "revealed_secret": None,
        "secret_inbox": None,
    }


def _origins(text: str) -> list[str]:
    """Allowed site origins, one per line (or separated by commas or spaces)."""
    return [item for item in text.replace(",", " ").split() if item]


def _department_choice(value: str | None) -> int | None:
    return parse_int(value) if value else None


@router.get("/settings/inboxes", response_class=HTMLResponse)
def inboxes_page(request: Request, session: DbSession, principal: Principal = page(P.INBOXES_READ)) -> HTMLResponse:
    return _page(request, session, principal, "inboxes", _inboxes_context(session))


def _token_shown(
    request: Request, session: Session, principal: Principal, inbox_id: int, token: str, form: Form, status: int
) -> HTMLResponse:
    context = {**_inboxes_context(session), "new_token": token, "token_inbox": inbox_id}
    response = _page(request, session, principal, "inboxes", context, form, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/settings/inboxes", response_model=None)
def create_inbox(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.INBOXES_MANAGE)
) -> Response:
    """An API inbox (its ingress token is shown on this answer only) or a web chat for a site."""
    form = Form(session, principal, "create", values)
    widget = values.get("channel_type") == "widget"
    new = form.run(
        lambda: channels.create_inbox(
            session,
            principal.actor,
            channel_type="widget" if widget else "api",
            name=values.get("name", ""),
            settings={"allowed_origins": _origins(values.get("allowed_origins", ""))} if widget else None,
            default_department_id=_department_choice(values.get("default_department_id")),
        )
    )
    if new is None:
        return _page(request, session, principal, "inboxes", _inboxes_context(session), form)
    if widget:
        return _done("/settings/inboxes", "widget_created")
    return _token_shown(request, session, principal, new.inbox.id, new.token, form, 201)


@router.post("/settings/inboxes/{inbox_id}", response_model=None)
def update_inbox(
    inbox_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.INBOXES_MANAGE),
) -> Response:
    inbox = channels.get_inbox(session, inbox_id)
    form = Form(session, principal, f"inbox-{inbox_id}", values)

    def save() -> None:
        if "name" in values and not values["name"].strip():
            raise DomainError("An inbox needs a name.")
        origins = values.get("allowed_origins")
        channels.update_inbox(
            session,
            principal.actor,
            inbox,
            name=values.get("name"),
            settings={"allowed_origins": _origins(origins)} if origins is not None else None,
            default_department_id=_department_choice(values.get("default_department_id")),
        )

    form.run(save)
    if form.error is not None:
        return _page(request, session, principal, "inboxes", _inboxes_context(session), form)
    return _done("/settings/inboxes", "inbox_saved")


@router.post("/settings/inboxes/{inbox_id}/active", response_model=None)
def set_inbox_active(
    inbox_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.INBOXES_MANAGE),
) -> Response:
    active = parse_bool(values.get("active", ""))
    channels.update_inbox(session, principal.actor, channels.get_inbox(session, inbox_id), is_active=active)
    return _done("/settings/inboxes", "inbox_activated" if active else "inbox_deactivated")


@router.post("/settings/inboxes/{inbox_id}/rotate", response_model=None)
def rotate_inbox_token(
    inbox_id: int, request: Request, session: DbSession, principal: Principal = page(P.INBOXES_MANAGE)
) -> Response:
    inbox = channels.get_inbox(session, inbox_id)
    token = channels.rotate_inbox_token(session, principal.actor, inbox)
    return _token_shown(request, session, principal, inbox.id, token, Form(session, principal, "rotate", {}), 200)


@router.post("/settings/inboxes/{inbox_id}/identity-secret", response_model=None)
def identity_secret(
    inbox_id: int,
    request: Request,
    session: DbSession,
    values: FormValues,
    principal: Principal = page(P.INBOXES_MANAGE),
) -> Response:
    """Show (audited) or renew the key a site signs its user ids with for the web chat."""
    inbox = channels.get_inbox(session, inbox_id)
    if values.get("action") == "rotate":
        secret = channels.rotate_secret(session, principal.actor, inbox, "identity_secret")
    else:
        secret = channels.reveal_secret(session, principal.actor, inbox, "identity_secret")
    context = {**_inboxes_context(session), "revealed_secret": secret, "secret_inbox": inbox}
    response = _page(request, session, principal, "inboxes", context, Form(session, principal, "secret", {}))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- one's own account (every signed-in role) --------------------------------------------------

ACCOUNT_NOTICES = {
    "password_changed": N_("Your password was changed; your other sessions were signed out."),
    "language_saved": N_("The language was saved."),
}
NOTICES.update(ACCOUNT_NOTICES)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: DbSession, principal: Principal = page(P.PROFILE)) -> HTMLResponse:
    return _page(request, session, principal, "account", {"languages": LANGUAGE_NAMES})


@router.post("/account/password", response_model=None)
def change_password(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.PROFILE)
) -> Response:
    """Current and new password; the user's other browser sessions end, this one stays."""
    form = Form(session, principal, "password", {})

    def change() -> None:
        new = values.get("new_password", "")
        if new != values.get("new_password_again", new):
            raise DomainError("The new passwords do not match.", code="password_mismatch")
        cookie = request.cookies.get(SESSION_COOKIE, "")
        auth.change_password(
            session,
            principal.actor,
            principal.user,
            current=values.get("current_password", ""),
            new=new,
            keep=auth.resolve_session(session, cookie) if cookie else None,
        )

    form.run(change)
    if form.error is not None:
        return _page(request, session, principal, "account", {"languages": LANGUAGE_NAMES}, form)
    return _done("/account", "password_changed")


@router.post("/account/language", response_model=None)
def set_language(
    request: Request, session: DbSession, values: FormValues, principal: Principal = page(P.PROFILE)
) -> Response:
    form = Form(session, principal, "language", values)
    form.run(lambda: auth.update_user(session, principal.actor, principal.user, language=values.get("language", "")))
    if form.error is not None:
        return _page(request, session, principal, "account", {"languages": LANGUAGE_NAMES}, form)
    return _done("/account", "language_saved")
