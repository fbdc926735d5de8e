"""Roles and the permissions each one grants. Every API and UI route names one permission."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    MARKETER = "marketer"
    ANALYST = "analyst"


class Permission(StrEnum):
    PROFILE = "profile"  # one's own account, password and API tokens
    DIRECTORY_READ = "directory.read"  # colleagues' names, for @mentions and assignment
    CONVERSATIONS_READ = "conversations.read"
    CONVERSATIONS_WRITE = "conversations.write"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    CUSTOMERS_MERGE = "customers.merge"
    DEPARTMENTS_READ = "departments.read"
    DEPARTMENTS_MANAGE = "departments.manage"
    USERS_MANAGE = "users.manage"
    INBOXES_READ = "inboxes.read"
    INBOXES_MANAGE = "inboxes.manage"
    ORGANIZATION_MANAGE = "organization.manage"
    AUDIT_READ = "audit.read"
    JOBS_MANAGE = "jobs.manage"
    QUEUE_READ = "queue.read"  # live queue, operator load and SLA breaches (supervisor view)
    SLA_MANAGE = "sla.manage"
    CANNED_MANAGE = "canned.manage"
    HELP_MANAGE = "help.manage"  # write, publish and review help center articles
    SETTINGS_READ = "settings.read"  # the Settings area of the UI; each of its pages names its own
    REPORTS_READ = "reports.read"  # analytics and reports (the bot's numbers, …)


_P = Permission
_STAFF_COMMON = {_P.PROFILE, _P.DIRECTORY_READ}
_CARE = {
    _P.CONVERSATIONS_READ,
    _P.CONVERSATIONS_WRITE,
    _P.CUSTOMERS_READ,
    _P.CUSTOMERS_WRITE,
    _P.DEPARTMENTS_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset(
        _STAFF_COMMON
        | _CARE
        | {
            _P.CUSTOMERS_MERGE,
            _P.DEPARTMENTS_MANAGE,
            _P.INBOXES_READ,
            _P.AUDIT_READ,
            _P.QUEUE_READ,
            _P.SLA_MANAGE,
            _P.CANNED_MANAGE,
            _P.HELP_MANAGE,
            _P.SETTINGS_READ,
            _P.REPORTS_READ,
        }
    ),
    Role.OPERATOR: frozenset(_STAFF_COMMON | _CARE),
    Role.MARKETER: frozenset(
        _STAFF_COMMON | {_P.CUSTOMERS_READ, _P.CUSTOMERS_WRITE, _P.DEPARTMENTS_READ, _P.HELP_MANAGE}
    ),
    Role.ANALYST: frozenset(_STAFF_COMMON | {_P.DEPARTMENTS_READ, _P.REPORTS_READ}),
}


def role_has(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]
