"""Every table, imported in one place so that Alembic and tests see the whole schema."""

from zabota.assignment.models import AssignmentCursor
from zabota.attachments.models import Attachment
from zabota.auth.models import ApiToken, User, UserSession
from zabota.bot.models import BotTurn
from zabota.canned.models import CannedReply
from zabota.channels.models import Inbox
from zabota.conversations.models import Conversation, ConversationRead, Mention, Message, Note
from zabota.customers.models import Customer, CustomerIdentity, Tag, customer_tags
from zabota.db import Base
from zabota.departments.models import Department, DepartmentMember
from zabota.events.models import DomainEvent
from zabota.helpcenter.models import HelpArticle, HelpArticleVersion, HelpCategory, HelpCenterState, HelpFeedback
from zabota.jobs.models import Job
from zabota.org.models import Organization
from zabota.sla.models import SlaBreach, SlaPolicy
from zabota.widget.models import WidgetVisitor

__all__ = [
    "ApiToken",
    "AssignmentCursor",
    "Attachment",
    "Base",
    "BotTurn",
    "CannedReply",
    "Conversation",
    "ConversationRead",
    "Customer",
    "CustomerIdentity",
    "Department",
    "DepartmentMember",
    "DomainEvent",
    "HelpArticle",
    "HelpArticleVersion",
    "HelpCategory",
    "HelpCenterState",
    "HelpFeedback",
    "Inbox",
    "Job",
    "Mention",
    "Message",
    "Note",
    "Organization",
    "SlaBreach",
    "SlaPolicy",
    "Tag",
    "User",
    "UserSession",
    "WidgetVisitor",
    "customer_tags",
]
