"""Departments and their members."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.departments.models import Department, DepartmentMember
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor, record_event

AUTO_ASSIGNMENT_POLICIES = ("off", "round_robin", "least_loaded")


def get_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound("Department {department_id} does not exist.", department_id=department_id)
    return department


def create_department(
    session: Session, actor: Actor, *, name: str, description: str = "", auto_assignment: str = "off"
) -> Department:
    name = name.strip()
    if not name:
        raise DomainError("A department needs a name.")
    if auto_assignment not in AUTO_ASSIGNMENT_POLICIES:
        raise DomainError("Auto-assignment must be one of {names}.", names=", ".join(AUTO_ASSIGNMENT_POLICIES))
    if session.scalar(select(Department.id).where(Department.name == name)) is not None:
        raise Conflict("A department named {name} already exists.", name=repr(name))
    department = Department(name=name, description=description, auto_assignment=auto_assignment)
    session.add(department)
    session.flush()
    record_event(session, "department.created", actor, "department", department.id, {"name": name})
    return department


def update_department(
    session: Session,
    actor: Actor,
    department: Department,
    *,
    name: str | None = None,
    description: str | None = None,
    auto_assignment: str | None = None,
) -> Department:
    changes: dict[str, object] = {}
    if name is not None and name.strip() != department.name:
        name = name.strip()
        clash = session.scalar(select(Department.id).where(Department.name == name, Department.id != department.id))
        if clash is not None:
            raise Conflict("A department named {name} already exists.", name=repr(name))
        department.name = changes["name"] = name
    if description is not None and description != department.description:
        department.description = changes["description"] = description
    if auto_assignment is not None and auto_assignment != department.auto_assignment:
        if auto_assignment not in AUTO_ASSIGNMENT_POLICIES:
            raise DomainError("Auto-assignment must be one of {names}.", names=", ".join(AUTO_ASSIGNMENT_POLICIES))
        department.auto_assignment = changes["auto_assignment"] = auto_assignment
    if changes:
        record_event(session, "department.updated", actor, "department", department.id, changes)
    return department


def add_member(session: Session, actor: Actor, department: Department, user: User) -> None:
    if session.get(DepartmentMember, (department.id, user.id)) is None:
        session.add(DepartmentMember(department_id=department.id, user_id=user.id))
        record_event(session, "department.member_added", actor, "department", department.id, {"user_id": user.id})


def remove_member(session: Session, actor: Actor, department: Department, user: User) -> None:
    member = session.get(DepartmentMember, (department.id, user.id))
    if member is not None:
        session.delete(member)
        record_event(session, "department.member_removed", actor, "department", department.id, {"user_id": user.id})


def member_ids(session: Session, department_id: int) -> list[int]:
    return list(
        session.scalars(select(DepartmentMember.user_id).where(DepartmentMember.department_id == department_id))
    )


def department_ids_of(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(DepartmentMember.department_id).where(DepartmentMember.user_id == user_id)))
