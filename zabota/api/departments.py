from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import DepartmentCreate, DepartmentOut, DepartmentUpdate, MemberIn
from zabota.auth.actions import get_user
from zabota.auth.roles import Permission
from zabota.departments import actions
from zabota.departments.models import Department, DepartmentMember

router = APIRouter(tags=["departments"])


def _out(session: DbSession, department: Department) -> DepartmentOut:
    out = DepartmentOut.model_validate(department)
    out.member_ids = sorted(actions.member_ids(session, department.id))
    return out


@router.get("/departments", response_model=list[DepartmentOut])
def list_departments(
    session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_READ)
) -> list[DepartmentOut]:
    departments = list(session.scalars(select(Department).order_by(Department.name)))
    members: dict[int, list[int]] = {}
    for row in session.execute(select(DepartmentMember.department_id, DepartmentMember.user_id)):
        members.setdefault(row.department_id, []).append(row.user_id)
    return [
        DepartmentOut.model_validate(d).model_copy(update={"member_ids": sorted(members.get(d.id, []))})
        for d in departments
    ]


@router.post("/departments", response_model=DepartmentOut, status_code=201)
def create_department(
    body: DepartmentCreate, session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_MANAGE)
) -> DepartmentOut:
    return _out(session, actions.create_department(session, principal.actor, **body.model_dump()))


@router.get("/departments/{department_id}", response_model=DepartmentOut)
def get_department(
    department_id: int, session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_READ)
) -> DepartmentOut:
    return _out(session, actions.get_department(session, department_id))


@router.patch("/departments/{department_id}", response_model=DepartmentOut)
def update_department(
    department_id: int,
    body: DepartmentUpdate,
    session: DbSession,
    principal: Principal = require(Permission.DEPARTMENTS_MANAGE),
) -> DepartmentOut:
    department = actions.get_department(session, department_id)
    actions.update_department(session, principal.actor, department, **body.model_dump(exclude_unset=True))
    return _out(session, department)


@router.post("/departments/{department_id}/members", response_model=DepartmentOut)
def add_member(
    department_id: int,
    body: MemberIn,
    session: DbSession,
    principal: Principal = require(Permission.DEPARTMENTS_MANAGE),
) -> DepartmentOut:
    department = actions.get_department(session, department_id)
    actions.add_member(session, principal.actor, department, get_user(session, body.user_id))
    return _out(session, department)


@router.delete("/departments/{department_id}/members/{user_id}", response_model=DepartmentOut)
def remove_member(
    department_id: int, user_id: int, session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_MANAGE)
) -> DepartmentOut:
    department = actions.get_department(session, department_id)
    actions.remove_member(session, principal.actor, department, get_user(session, user_id))
    return _out(session, department)
