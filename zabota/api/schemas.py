"""Request and response shapes of the REST API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

T = TypeVar("T")


class In(BaseModel):
    """Request bodies reject unknown fields so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


RoleName = Literal["admin", "supervisor", "operator", "marketer", "analyst"]
StatusName = Literal["open", "pending", "snoozed", "resolved"]
Language = Literal["ru", "en"]


class UserOut(Out):
    id: int
    email: str
    handle: str
    name: str
    role: str
    language: str
    is_active: bool
    capacity: int
    availability: str
    created_at: datetime
    last_login_at: datetime | None


class UserBrief(Out):
    id: int
    handle: str
    name: str
    role: str
    is_active: bool


class UserCreate(In):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: RoleName
    password: str = Field(min_length=8, max_length=200)
    handle: str | None = Field(default=None, max_length=64)
    language: Language = "ru"
    capacity: int = Field(default=10, ge=0, le=1000)


class UserUpdate(In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: RoleName | None = None
    language: Language | None = None
    is_active: bool | None = None
    capacity: int | None = Field(default=None, ge=0, le=1000)
    password: str | None = Field(default=None, min_length=8, max_length=200)


class LoginIn(In):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(Out):
    user: UserOut
    csrf_token: str


class PasswordChangeIn(In):
    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class ApiTokenCreate(In):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"]
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiTokenOut(Out):
    id: int
    user_id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once; store it now.")


class DepartmentOut(Out):
    id: int
    name: str
    description: str
    auto_assignment: str
    member_ids: list[int] = []


class DepartmentCreate(In):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    auto_assignment: Literal["off", "round_robin", "least_loaded"] = "off"


class DepartmentUpdate(In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    auto_assignment: Literal["off", "round_robin", "least_loaded"] | None = None


class MemberIn(In):
    user_id: int


class InboxOut(Out):
    id: int
    channel_type: str
    name: str
    settings: dict[str, Any]
    secret_names: list[str] = []
    default_department_id: int | None
    is_active: bool
    created_at: datetime


class InboxCreated(InboxOut):
    token: str = Field(description="The ingress token, shown once.")


class InboxCreate(In):
    channel_type: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=100)
    settings: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    default_department_id: int | None = None


class InboxUpdate(In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    settings: dict[str, Any] | None = None
    secrets: dict[str, str] | None = None
    default_department_id: int | None = None
    is_active: bool | None = None


class IdentityOut(Out):
    channel: str
    external_id: str


class CustomerOut(Out):
    id: int
    name: str
    email: str | None
    phone: str | None
    language: str | None
    birthday: date | None
    attributes: dict[str, Any]
    consents: dict[str, Any]
    tags: list[str]
    identities: list[IdentityOut]
    created_at: datetime
    last_seen_at: datetime | None


AttributeValue = str | int | float | bool | None


class CustomerCreate(In):
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: Language | None = None
    birthday: date | None = None
    attributes: dict[str, AttributeValue] = {}
    consents: dict[str, bool] = {}
    tags: list[str] = Field(default=[], max_length=50)


class CustomerUpdate(In):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: Language | None = None
    birthday: date | None = None
    attributes: dict[str, AttributeValue] | None = None
    consents: dict[str, bool] | None = None
    tags: list[str] | None = Field(default=None, max_length=50)


class MergeIn(In):
    source_id: int = Field(description="The duplicate to fold into this customer.")


class IdentityIn(In):
    channel: str = Field(min_length=1, max_length=32)
    external_id: str = Field(min_length=1, max_length=255)


class ConversationOut(Out):
    id: int
    inbox_id: int
    channel: str
    customer_id: int
    department_id: int | None
    assignee_id: int | None
    status: str
    snoozed_until: datetime | None
    urgent: bool
    important: bool
    priority_manual: bool
    subject: str
    last_message_preview: str
    opened_at: datetime
    first_customer_message_at: datetime | None
    first_human_reply_at: datetime | None
    awaiting_reply_since: datetime | None
    first_reply_due_at: datetime | None
    resolution_due_at: datetime | None
    first_reply_breached_at: datetime | None
    resolution_breached_at: datetime | None
    last_message_at: datetime | None
    last_activity_at: datetime
    resolved_at: datetime | None
    reopened_count: int
    message_count: int
    bot_state: str | None = Field(description="active while the bot handles it; handed_off / resolved after")


class Attachment(In):
    url: str = Field(max_length=2000)
    filename: str = Field(default="", max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    size: int | None = Field(default=None, ge=0)


class MessageOut(Out):
    id: int
    conversation_id: int
    direction: str
    author_kind: str
    author_user_id: int | None
    text: str
    html: str | None
    attachments: list[dict[str, Any]]
    external_id: str | None
    delivery_status: str
    delivery_error: str | None
    created_at: datetime
    sent_at: datetime | None


class ReplyIn(In):
    text: str = Field(default="", max_length=20_000)
    html: str | None = Field(default=None, max_length=200_000)
    attachments: list[Attachment] = Field(default=[], max_length=20, description="Files that live at a URL.")
    attachment_ids: list[int] = Field(
        default=[], max_length=10, description="Files uploaded to this conversation with POST …/attachments."
    )


class AttachmentOut(Out):
    id: int
    conversation_id: int
    message_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class NoteIn(In):
    text: str = Field(min_length=1, max_length=20_000)


class NoteOut(Out):
    id: int
    conversation_id: int
    author_id: int | None
    text: str
    created_at: datetime
    mentioned_user_ids: list[int] = []


class AssignIn(In):
    assignee_id: int | None = Field(description="null unassigns.")


class TransferIn(In):
    department_id: int
    note: str | None = Field(default=None, max_length=20_000)


class StatusIn(In):
    status: StatusName
    snoozed_until: AwareDatetime | None = None


class SnoozeIn(In):
    until: AwareDatetime


class PriorityIn(In):
    urgent: bool
    important: bool


class InboundCustomer(In):
    identifier: str = Field(min_length=1, max_length=255, description="The customer's id in your system.")
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: Language | None = None
    attributes: dict[str, AttributeValue] = {}


class InboundMessageIn(In):
    external_id: str = Field(min_length=1, max_length=255, description="Your id for the message; resending it is safe.")
    customer: InboundCustomer
    text: str = Field(default="", max_length=20_000)
    html: str | None = Field(default=None, max_length=200_000)
    subject: str = Field(default="", max_length=300)
    attachments: list[Attachment] = Field(default=[], max_length=20)
    sent_at: AwareDatetime | None = None


class InboundMessageOut(Out):
    message_id: int
    conversation_id: int
    customer_id: int
    created: bool = Field(description="False when this external_id was already received.")


class EventOut(Out):
    id: int
    type: str
    actor_kind: str
    actor_id: int | None
    subject_type: str
    subject_id: int | None
    conversation_id: int | None
    payload: dict[str, Any]
    created_at: datetime


class JobOut(Out):
    id: int
    name: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class OrganizationOut(Out):
    name: str
    timezone: str
    business_hours: dict[str, Any]
    holidays: list[Any]
    languages: list[str]
    default_language: str
    currency: str
    reopen_window_hours: int
    department_isolation: bool


class OrganizationUpdate(In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    business_hours: dict[str, list[list[str]]] | None = None
    holidays: list[date] | None = None
    languages: list[Language] | None = None
    default_language: Language | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    reopen_window_hours: int | None = Field(default=None, ge=0, le=24 * 365)
    department_isolation: bool | None = None
