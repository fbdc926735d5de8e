"""The first-line bot's actions: answer a customer message from the help center, or hand off.

`respond` is the `bot.respond` job's work (see zabota.bot for the flow); `hand_off` passes a
conversation to people (the bot, the customer's button, or an operator's reply call it);
`confirm_answer` records the customer's "this helped / it did not"; `close_if_idle` and
`check_resolved` are the timers that end a conversation the bot dealt with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import escape
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from zabota.assignment.actions import auto_assign
from zabota.bot.config import IDLE_JOB, BotSettings, bot_settings
from zabota.bot.intent import detect_language, is_greeting, wants_a_person
from zabota.bot.models import BotTurn
from zabota.channels.models import Inbox
from zabota.conversations.actions import add_note, reply, set_status, transfer
from zabota.conversations.models import AuthorKind, BotState, Conversation, Direction, Message, Status
from zabota.customers.models import Customer
from zabota.db import utcnow
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor, record_event
from zabota.helpcenter.actions import record_feedback
from zabota.helpcenter.models import HelpArticle, HelpCategory
from zabota.helpcenter.search import search_with_confidence
from zabota.i18n import LANGUAGES, N_, gettext
from zabota.jobs.queue import enqueue
from zabota.org.actions import get_organization
from zabota.sla.actions import refresh_sla

HANDOFF_REASONS = ("customer_request", "low_confidence", "limit", "operator")
BOT = Actor("bot")
# After a bot answer, a conversation the customer does not write in again for this long is resolved.
IDLE_HOURS = 2
# A customer who writes again within this long after a bot-handled conversation was resolved "returned".
RETURN_WINDOW = timedelta(hours=24)
TRANSCRIPT_MESSAGES = 20
TRANSCRIPT_LINE = 300

# The button a channel shows under the bot's messages while `bot_offers_handoff` is true.
HANDOFF_LABEL = N_("Talk to a person")
_INTRO = N_("Here is what our help center says:")
_OFFER = N_("If this does not answer your question, press «Talk to a person» or write «operator».")
_LAST_OFFER = N_(
    "Still not solved? Press «Talk to a person» and a colleague will take over: your next message goes to them too."
)
_GREETING = N_(
    "Hello! I am the assistant bot. Describe your question in a few words and I will look for the answer, "
    "or press «Talk to a person»."
)
_PASSING = {
    "customer_request": N_("Of course: I am passing you to a colleague. They will answer here shortly."),
    "low_confidence": N_("Passing you to a colleague: they will answer here shortly."),
    "limit": N_("Let me pass you to a colleague: they will answer here shortly."),
}
_REASON_LABELS = {
    "customer_request": N_("the customer asked for a person"),
    "low_confidence": N_("the help center has no confident answer"),
    "limit": N_("the bot's answers did not settle it"),
    "operator": N_("an operator took over"),
}


@dataclass(frozen=True)
class TopicGuess:
    """The bot's guess of what the conversation is about and who should take it."""

    article: HelpArticle | None
    category: HelpCategory | None
    confidence: float
    department_id: int | None


def conversation_language(session: Session, conversation: Conversation, text: str = "") -> str:
    """The customer's language: their profile's, else the alphabet of what they wrote."""
    customer = session.get(Customer, conversation.customer_id)
    if customer is not None and customer.language in LANGUAGES:
        return customer.language
    if not text:
        text = " ".join(m.text for m in _customer_messages(session, conversation.id, limit=5))
    return detect_language(text, get_organization(session).default_language)


def _customer_messages(session: Session, conversation_id: int, *, limit: int) -> list[Message]:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.author_kind == AuthorKind.CUSTOMER)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


def _greeted(session: Session, conversation_id: int) -> bool:
    return bool(
        session.scalar(select(exists().where(BotTurn.conversation_id == conversation_id, BotTurn.outcome == "greeted")))
    )


def answers_given(session: Session, conversation_id: int) -> int:
    """How many answers the bot gave in the conversation (all in a row: it never takes one back)."""
    return (
        session.scalar(
            select(func.count()).where(BotTurn.conversation_id == conversation_id, BotTurn.outcome == "answered")
        )
        or 0
    )


# --- answering ------------------------------------------------------------------------------


def respond(session: Session, message_id: int) -> BotTurn | None:
    """Handle one customer message of a bot-active conversation, once (the `bot.respond` job).

    A request for a person hands off; so does a message after `max_answers` answers, and one the
    help center cannot answer with confidence ≥ the inbox's threshold. Otherwise the bot replies
    with the best article. Returns the turn, or None when the bot has nothing to do (the message
    is gone, or the conversation is no longer the bot's).
    """
    message = session.get(Message, message_id)
    if message is None or message.author_kind != AuthorKind.CUSTOMER:
        return None
    conversation = session.get(Conversation, message.conversation_id, with_for_update={"key_share": True})
    if conversation is None or conversation.bot_state != BotState.ACTIVE:
        return None
    done = session.scalar(select(BotTurn).where(BotTurn.message_id == message_id))
    if done is not None:
        return done  # idempotent: this message was handled already
    inbox = session.get_one(Inbox, conversation.inbox_id)
    config = bot_settings(inbox.settings)
    language = conversation_language(session, conversation, message.text)
    turn = BotTurn(conversation_id=conversation.id, message_id=message.id, outcome="handed_off", created_at=utcnow())
    session.add(turn)
    if not config.enabled:
        turn.reason = "low_confidence"  # the bot was switched off meanwhile: people take it
    elif wants_a_person(message.text):
        turn.reason = "customer_request"
    elif is_greeting(message.text) and not _greeted(session, conversation.id):
        # A bare hello is not a question the help center could miss: ask for the question
        # (once) instead of handing off for low confidence.
        turn.outcome = "greeted"
        session.flush()
        greeting = reply(
            session, conversation, author=None, text=gettext(_GREETING, language), author_kind=AuthorKind.BOT
        )
        turn.reply_message_id = greeting.id
        _resolve_if_left_idle(session, conversation, greeting)
        return turn
    elif answers_given(session, conversation.id) >= config.max_answers:
        turn.reason = "limit"
    else:
        hits, confidence = search_with_confidence(session, message.text, language, 3) if message.text else ([], 0.0)
        turn.confidence = confidence
        turn.article_id = hits[0].article.id if hits else None
        if hits and confidence >= config.threshold:
            turn.outcome = "answered"
            session.flush()
            last = answers_given(session, conversation.id) >= config.max_answers
            answer = _answer(session, conversation, hits[0].article, hits[0].snippet, language, last=last)
            turn.reply_message_id = answer.id
            record_event(
                session,
                "bot.answered",
                BOT,
                "conversation",
                conversation.id,
                {
                    "message_id": message.id,
                    "reply_message_id": answer.id,
                    "article_ids": [hits[0].article.id],
                    "confidence": confidence,
                    "language": language,
                },
                conversation_id=conversation.id,
            )
            _resolve_if_left_idle(session, conversation, answer)
            return turn
        turn.reason = "low_confidence"
    session.flush()
    hand_off(session, conversation, reason=turn.reason, actor=BOT, language=language)
    return turn


def _resolve_if_left_idle(session: Session, conversation: Conversation, bot_reply: Message) -> None:
    """Schedule close_if_idle: IDLE_HOURS after the bot's reply, unless the customer wrote since."""
    enqueue(
        session,
        IDLE_JOB,
        {"conversation_id": conversation.id, "reply_message_id": bot_reply.id},
        run_at=bot_reply.created_at + timedelta(hours=IDLE_HOURS),
        dedupe_key=f"bot-idle:{bot_reply.id}",
    )


def article_link(article: HelpArticle, language: str) -> str:
    return f"/help/articles/{article.slug}?lang={language}"


def _answer(
    session: Session, conversation: Conversation, article: HelpArticle, snippet: str, language: str, *, last: bool
) -> Message:
    version = article.version(language)
    title = version.title if version is not None else article.slug
    link = article_link(article, language)
    intro, offer = gettext(_INTRO, language), gettext(_LAST_OFFER if last else _OFFER, language)
    text = f"{intro}\n«{title}»\n{snippet}\n{link}\n\n{offer}"
    html = (
        f'<p>{escape(intro)}</p><p><a href="{escape(link)}">{escape(title)}</a></p>'
        f"<blockquote>{escape(snippet)}</blockquote><p>{'<strong>' if last else ''}{escape(offer)}"
        f"{'</strong>' if last else ''}</p>"
    )
    return reply(session, conversation, author=None, text=text, html=html, author_kind=AuthorKind.BOT)


# --- hand-off -------------------------------------------------------------------------------


def hand_off(
    session: Session, conversation: Conversation, *, reason: str, actor: Actor, language: str | None = None
) -> bool:
    """Pass a bot-active conversation to people; False (and nothing done) if it is not the bot's.

    It leaves the bot (`bot_state` "handed_off"), tells the customer a colleague will answer
    (except when an operator took over by replying), starts the human wait now (the first-reply
    clock and first response time count from here), moves it to the department of the guessed
    topic (`departments` of the inbox's bot settings, else where it is), where auto-assignment
    may pick it up, and leaves an internal note with the transcript and the guess.
    """
    if reason not in HANDOFF_REASONS:
        raise DomainError(
            "Unknown hand-off reason; use one of {names}.", names=", ".join(HANDOFF_REASONS), code="bad_reason"
        )
    if conversation.bot_state != BotState.ACTIVE:
        return False
    inbox = session.get_one(Inbox, conversation.inbox_id)
    config = bot_settings(inbox.settings)
    language = language or conversation_language(session, conversation)
    guess = guess_topic(session, conversation, config, inbox, language)
    conversation.bot_state = BotState.HANDED_OFF
    if reason in _PASSING:
        reply(session, conversation, author=None, text=gettext(_PASSING[reason], language), author_kind=AuthorKind.BOT)
    now = utcnow()
    if conversation.status == Status.RESOLVED:
        set_status(session, actor, conversation, Status.OPEN)
    if conversation.first_customer_message_at is not None and conversation.cycle_first_human_reply_at is None:
        conversation.cycle_first_customer_message_at = now
        conversation.awaiting_reply_since = now
    note = add_note(session, conversation, author=None, text=_transcript_note(session, conversation, reason, guess))
    target = guess.department_id if reason != "operator" else None
    record_event(
        session,
        "bot.handed_off",
        actor,
        "conversation",
        conversation.id,
        {
            "reason": reason,
            "article_id": guess.article.id if guess.article else None,
            "category": guess.category.slug if guess.category else None,
            "confidence": guess.confidence,
            "department_id": guess.department_id,
            "note_id": note.id,
        },
        conversation_id=conversation.id,
    )
    department = session.get(Department, target) if target is not None else None
    if department is not None and department.id != conversation.department_id:
        transfer(session, actor, conversation, department)  # refreshes the SLA and auto-assigns
        return True
    refresh_sla(session, conversation)
    if reason != "operator":  # an operator who replies takes it themselves
        auto_assign(session, conversation)
    return True


def guess_topic(
    session: Session, conversation: Conversation, config: BotSettings, inbox: Inbox, language: str
) -> TopicGuess:
    """The article the customer's messages are most likely about, its category, and the department
    for it; the department falls back to the inbox's default one."""
    texts = [m.text for m in _customer_messages(session, conversation.id, limit=5) if m.text]
    hits, confidence = search_with_confidence(session, " ".join(texts)[-1000:], language, 1) if texts else ([], 0.0)
    article = hits[0].article if hits else None
    category = session.get(HelpCategory, article.category_id) if article is not None else None
    department_id = config.departments.get(category.slug) if category is not None else None
    if department_id is None or session.get(Department, department_id) is None:
        department_id = inbox.default_department_id
    return TopicGuess(article, category, confidence, department_id)


def _transcript_note(session: Session, conversation: Conversation, reason: str, guess: TopicGuess) -> str:
    language = get_organization(session).default_language
    why = gettext(_REASON_LABELS[reason], language)
    lines = [gettext("The bot handed over: {reason}.", language).format(reason=why)]
    if guess.category is not None and guess.article is not None:
        version = guess.article.version(language)
        lines.append(
            gettext("Topic (bot's guess): {category}: {article}, confidence {confidence}.", language).format(
                category=guess.category.title(language),
                article=version.title if version else guess.article.slug,
                confidence=f"{guess.confidence:.2f}",
            )
        )
    department = session.get(Department, guess.department_id) if guess.department_id is not None else None
    if department is not None:
        lines.append(gettext("Department (bot's guess): {name}.", language).format(name=department.name))
    lines.append(gettext("Transcript:", language))
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.id.desc())
        .limit(TRANSCRIPT_MESSAGES)
    )
    who = {AuthorKind.CUSTOMER: gettext("Customer", language), AuthorKind.BOT: gettext("Bot", language)}
    for message in reversed(list(rows)):
        text = " ".join(message.text.split())
        if len(text) > TRANSCRIPT_LINE:
            text = text[: TRANSCRIPT_LINE - 1] + "…"
        lines.append(f"{who.get(AuthorKind(message.author_kind), message.author_kind)}: {text}")
    return "\n".join(lines)


# --- the customer's verdict and the timers ---------------------------------------------------


def confirm_answer(session: Session, conversation: Conversation, *, helpful: bool, actor: Actor) -> bool:
    """The customer says the bot's last answer helped (the conversation is resolved; bot-resolved
    if they do not return within 24 h) or did not (it goes to a person). Either way the article
    gets the "was this helpful?" answer. False when the bot gave no answer or no longer handles it.
    """
    if conversation.bot_state != BotState.ACTIVE:
        return False
    turn = session.scalar(
        select(BotTurn)
        .where(BotTurn.conversation_id == conversation.id, BotTurn.outcome == "answered")
        .order_by(BotTurn.id.desc())
        .limit(1)
    )
    if turn is None:
        return False
    article = session.get(HelpArticle, turn.article_id) if turn.article_id is not None else None
    language = conversation_language(session, conversation)
    if article is not None and article.status == "published":
        record_feedback(
            session,
            article,
            helpful=helpful,
            language=language,
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
        )
    if helpful:
        set_status(session, actor, conversation, Status.RESOLVED)
    else:
        hand_off(session, conversation, reason="customer_request", actor=actor, language=language)
    return True


def close_if_idle(session: Session, conversation: Conversation, reply_message_id: int) -> bool:
    """After a bot answer: resolve the conversation if the customer has not written since it."""
    if conversation.bot_state != BotState.ACTIVE or conversation.status != Status.OPEN:
        return False
    newer = session.scalar(
        select(
            exists().where(
                Message.conversation_id == conversation.id,
                Message.direction == Direction.INBOUND,
                Message.id > reply_message_id,
            )
        )
    )
    if newer:
        return False
    set_status(session, BOT, conversation, Status.RESOLVED)
    return True


def check_resolved(session: Session, conversation: Conversation, resolved_at: datetime) -> bool:
    """A day after a bot-active conversation was resolved: if it is still resolved from then and
    the customer has not written since, the bot resolved it (`bot.resolved`)."""
    if (
        conversation.bot_state != BotState.ACTIVE
        or conversation.status != Status.RESOLVED
        or conversation.resolved_at != resolved_at
    ):
        return False
    returned = session.scalar(
        select(
            exists().where(
                Message.conversation_id == Conversation.id,
                Conversation.customer_id == conversation.customer_id,
                Message.direction == Direction.INBOUND,
                Message.created_at > resolved_at,
                Message.created_at <= resolved_at + RETURN_WINDOW,
            )
        )
    )
    if returned:
        return False
    answers = answers_given(session, conversation.id)
    if answers == 0:
        return False  # only greeted, then gone: the bot resolved nothing
    conversation.bot_state = BotState.RESOLVED
    record_event(
        session,
        "bot.resolved",
        BOT,
        "conversation",
        conversation.id,
        {"resolved_at": resolved_at.isoformat(), "answers": answers},
        conversation_id=conversation.id,
    )
    return True
