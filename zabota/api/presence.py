"""One's own presence (availability and the UI's heartbeat) and the supervisor's view of load."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request

from zabota.api.deps import SESSION_COOKIE, DbSession, Principal, require
from zabota.api.schemas import In, Out
from zabota.assignment import actions, queries
from zabota.auth.actions import resolve_session
from zabota.auth.roles import Permission

router = APIRouter(tags=["presence"])


class AvailabilityIn(In):
    availability: Literal["online", "away", "offline"]


class PresenceOut(Out):
    user_id: int
    availability: str
    presence: str
    load: int
    capacity: int
    heartbeat_seconds: int


class OperatorLoadOut(Out):
    user_id: int
    name: str
    handle: str
    role: str
    availability: str
    presence: str
    open: int
    pending: int
    load: int
    capacity: int
    free: int
    department_ids: list[int]


def _out(session: DbSession, principal: Principal, presence: actions.Presence) -> PresenceOut:
    user = principal.user
    return PresenceOut(
        user_id=user.id,
        availability=user.availability,
        presence=presence.value,
        load=actions.loads(session, [user.id])[user.id],
        capacity=user.capacity,
        heartbeat_seconds=actions.HEARTBEAT_SECONDS,
    )


@router.get("/presence", response_model=PresenceOut)
def my_presence(session: DbSession, principal: Principal = require(Permission.PROFILE)) -> PresenceOut:
    return _out(session, principal, actions.presence_of(session, principal.user))


@router.put("/presence", response_model=PresenceOut)
def set_availability(
    body: AvailabilityIn, session: DbSession, principal: Principal = require(Permission.PROFILE)
) -> PresenceOut:
    """Online, away or offline; coming online may hand you waiting conversations."""
    presence = actions.set_availability(session, principal.actor, principal.user, body.availability)
    return _out(session, principal, presence)


@router.post("/presence/heartbeat", response_model=PresenceOut)
def heartbeat(request: Request, session: DbSession, principal: Principal = require(Permission.PROFILE)) -> PresenceOut:
    """The operator UI calls this every `heartbeat_seconds` while a tab is open.

    Only a browser session counts as presence; with an API token this just reports it.
    """
    user_session = None
    cookie = request.cookies.get(SESSION_COOKIE)
    if principal.via == "session" and cookie:
        user_session = resolve_session(session, cookie)
    return _out(session, principal, actions.touch_presence(session, principal.user, user_session))


@router.get("/queue/operators", response_model=list[OperatorLoadOut])
def operator_loads(
    session: DbSession, department_id: int | None = None, principal: Principal = require(Permission.QUEUE_READ)
) -> list[OperatorLoadOut]:
    """Everyone who works conversations: presence, open and pending load against capacity."""
    return [OperatorLoadOut.model_validate(row) for row in queries.operator_loads(session, department_id)]
