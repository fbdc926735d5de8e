"""The first-line bot through the real ingest, job runner, actions and queries, on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.sla.helpers import conversation, department, events, jobs, push
from zabota.assignment.actions import auto_assign
from zabota.auth.actions import start_session
from zabota.auth.models import User
from zabota.bot import actions as bot
from zabota.bot.config import DEFAULT_THRESHOLD, RESPOND_JOB
from zabota.bot.intent import detect_language, is_greeting, wants_a_person
from zabota.bot.models import BotTurn
from zabota.bot.queries import bot_offers_handoff
from zabota.channels.actions import InboxRef, create_inbox, update_inbox
from zabota.channels.models import Inbox
from zabota.conversations import actions as inbox_actions
from zabota.conversations import queries
from zabota.conversations.models import AuthorKind, BotState, Conversation, Message, Note, Status
from zabota.db import Database, clock_at, utcnow
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor
from zabota.helpcenter.models import HelpArticle
from zabota.jobs import run_until_idle
from zabota.sla.actions import set_policy
from zabota.sla.queries import queue_stats


def bot_inbox(db: Database, department_id: int | None = None, **bot_config: Any) -> int:
    with db.transaction() as session:
        settings = {"bot": {"enabled": True, **bot_config}}
        return create_inbox(
            session, Actor.system(), channel_type="api", name="Shop", settings=settings,
            default_department_id=department_id,
        ).inbox.id  # fmt: skip


def bot_messages(db: Database, conversation_id: int) -> list[Message]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.author_kind == AuthorKind.BOT)
                .order_by(Message.id)
            )
        )


def notes(db: Database, conversation_id: int) -> list[Note]:
    with db.transaction() as session:
        return queries.list_notes(session, conversation_id)


def article_id(db: Database, slug: str) -> int:
    with db.transaction() as session:
        found = session.scalar(select(HelpArticle.id).where(HelpArticle.slug == slug))
        assert found is not None
        return found


def listed(db: Database, user: User, **filters: Any) -> list[int]:
    with db.transaction() as session:
        viewer = session.get_one(User, user.id)
        page = queries.list_conversations(session, viewer, queries.ConversationFilter(**filters))
        return [c.id for c in page.items]


def online(db: Database, *users: User) -> None:
    with db.transaction() as session:
        for user in users:
            start_session(session, session.get_one(User, user.id), days=1)


# --- answering ------------------------------------------------------------------------------


def test_answers_a_known_question_with_the_right_article_and_offers_a_person(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="Как вернуть деньги за заказ?")
    assert conversation(db, result.conversation.id).bot_state == BotState.ACTIVE
    assert [j.name for j in jobs(db, RESPOND_JOB)] == [RESPOND_JOB]  # enqueued with the message
    assert bot_messages(db, result.conversation.id) == []
    run_until_idle(db)

    [answer] = bot_messages(db, result.conversation.id)
    assert "/help/articles/refund?lang=ru" in answer.text
    assert "«Позвать оператора»" in answer.text
    assert answer.html is not None and 'href="/help/articles/refund?lang=ru"' in answer.html
    row = conversation(db, result.conversation.id)
    assert row.bot_state == BotState.ACTIVE and bot_offers_handoff(row)
    [answered] = events(db, "bot.answered", result.conversation.id)
    assert answered.payload["article_ids"] == [article_id(db, "refund")]
    assert answered.payload["confidence"] >= DEFAULT_THRESHOLD
    assert answered.payload["reply_message_id"] == answer.id


def test_answers_in_english_when_the_customer_writes_english(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="where is my refund")
    run_until_idle(db)
    [answer] = bot_messages(db, result.conversation.id)
    assert "/help/articles/refund?lang=en" in answer.text
    assert "Talk to a person" in answer.text
    assert answer.text.isascii() or "«" in answer.text  # English words, our quotes


@pytest.mark.parametrize(
    ("text", "passing"),
    [
        ("Позовите человека!", "передаю вас сотруднику"),
        ("ОПЕРАТОР", "передаю вас сотруднику"),
        ("хочу поговорить с живым человеком", "передаю вас сотруднику"),
        ("human please", "passing you to a colleague"),
        ("Can I talk to a person?", "passing you to a colleague"),
    ],
)
def test_a_typed_request_for_a_person_hands_off_at_once(db, demo_help, make_user, text, passing):
    supervisor = make_user("supervisor")
    box = bot_inbox(db)
    result = push(db, box, "m1", text=text)
    assert result.conversation.id not in listed(db, supervisor, unassigned=True, status=["open"])
    run_until_idle(db)

    row = conversation(db, result.conversation.id)
    assert row.bot_state == BotState.HANDED_OFF and not bot_offers_handoff(row)
    [handed] = events(db, "bot.handed_off", result.conversation.id)
    assert handed.payload["reason"] == "customer_request"
    [message] = bot_messages(db, result.conversation.id)
    assert passing in message.text.lower()
    assert result.conversation.id in listed(db, supervisor, unassigned=True, status=["open"])
    assert events(db, "bot.answered") == []


def test_low_confidence_hands_off_at_once(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="какая завтра погода в Москве?")
    run_until_idle(db)
    assert conversation(db, result.conversation.id).bot_state == BotState.HANDED_OFF
    [handed] = events(db, "bot.handed_off", result.conversation.id)
    assert handed.payload["reason"] == "low_confidence"
    [message] = bot_messages(db, result.conversation.id)
    assert message.text == "Передаю вас сотруднику: вам скоро ответят здесь же."


def test_a_bare_greeting_is_answered_with_a_question_once_then_the_question_is_answered(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="Здравствуйте!")
    run_until_idle(db)
    row = conversation(db, result.conversation.id)
    assert row.bot_state == BotState.ACTIVE and bot_offers_handoff(row)  # still the bot's, not handed off
    [greeting] = bot_messages(db, result.conversation.id)
    assert greeting.text.startswith("Здравствуйте! Я бот-помощник.") and "«Позвать оператора»" in greeting.text
    assert events(db, "bot.handed_off") == []

    push(db, box, "m2", text="Привет")  # a second hello is not greeted again: it goes to a person
    run_until_idle(db)
    assert conversation(db, result.conversation.id).bot_state == BotState.HANDED_OFF
    [handed] = events(db, "bot.handed_off", result.conversation.id)
    assert handed.payload["reason"] == "low_confidence"


def test_after_a_greeting_the_question_gets_its_article(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="Hi there")
    push(db, box, "m2", text="where is my refund")
    run_until_idle(db)
    greeting, answer = bot_messages(db, result.conversation.id)
    assert greeting.text.startswith("Hello! I am the assistant bot.")
    assert "/help/articles/refund?lang=en" in answer.text
    with db.transaction() as session:
        assert bot.answers_given(session, result.conversation.id) == 1  # a greeting is not an answer


def test_a_greeted_customer_who_leaves_is_not_counted_as_bot_resolved(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="Добрый день")
    run_until_idle(db)
    [greeting] = bot_messages(db, result.conversation.id)
    row = _left_alone_then_a_day_later(db, greeting)
    assert row.status == Status.RESOLVED and row.resolved_at is not None  # closed as idle
    assert events(db, "bot.resolved") == []


def test_a_higher_threshold_hands_off_what_the_default_answers(db, demo_help):
    box = bot_inbox(db, threshold=0.99)
    result = push(db, box, "m1", text="где отремонтировать ноутбук")  # confidence about 0.4-0.6
    run_until_idle(db)
    [handed] = events(db, "bot.handed_off", result.conversation.id)
    assert handed.payload["reason"] == "low_confidence"


def test_after_two_answers_the_next_message_hands_off(db, demo_help):
    box = bot_inbox(db)
    first = push(db, box, "m1", text="сколько стоит доставка")
    run_until_idle(db)
    push(db, box, "m2", text="а как списать бонусы?")
    run_until_idle(db)
    answers = bot_messages(db, first.conversation.id)
    assert len(answers) == 2
    assert "Нажмите «Позвать оператора»" not in answers[0].text
    assert answers[1].text.endswith(
        "Вопрос не решён? Нажмите «Позвать оператора», и вам ответит сотрудник: ваше следующее сообщение тоже "
        "попадёт к нему."
    )
    assert answers[1].html is not None and "<strong>" in answers[1].html
    assert conversation(db, first.conversation.id).bot_state == BotState.ACTIVE

    push(db, box, "m3", text="сколько дней хранится заказ в пвз")  # answerable, but the limit is reached
    run_until_idle(db)
    assert conversation(db, first.conversation.id).bot_state == BotState.HANDED_OFF
    [handed] = events(db, "bot.handed_off", first.conversation.id)
    assert handed.payload["reason"] == "limit"
    assert len(events(db, "bot.answered", first.conversation.id)) == 2


def test_the_job_is_idempotent(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="промокод не работает")
    with db.transaction() as session:  # a redelivered message does not enqueue a second job
        assert len(list(session.scalars(select(BotTurn)))) == 0
    push(db, box, "m1", text="промокод не работает")
    assert len(jobs(db, RESPOND_JOB)) == 1
    run_until_idle(db)
    for _ in range(2):  # the job's work run again, as after a crash before the completion
        with db.transaction() as session:
            turn = bot.respond(session, result.message.id)
            assert turn is not None and turn.outcome == "answered"
    assert len(bot_messages(db, result.conversation.id)) == 1
    assert len(events(db, "bot.answered")) == 1


# --- the human queue ------------------------------------------------------------------------


def test_bot_conversations_stay_out_of_the_human_queue_until_the_hand_off(db, demo_help, make_user):
    anna, supervisor = make_user("operator"), make_user("supervisor")
    online(db, anna)
    support = department(db, "Поддержка")
    returns = department(db, "Возвраты", auto_assignment="round_robin", members=[anna])
    box = bot_inbox(db, support, departments={"returns": returns})
    with db.transaction() as session:
        set_policy(session, Actor.system(), session.get_one(Department, returns), first_reply_minutes=30,
                   business_hours_only=False)  # fmt: skip
    result = push(db, box, "m1", text="Как вернуть куртку?")
    cid = result.conversation.id

    # The bot's: not in Mine / Unassigned / All / counts / queue, not auto-assigned, no clock.
    for viewer in (anna, supervisor):
        assert cid not in listed(db, viewer, status=["open", "pending"])
        assert cid not in listed(db, viewer, unassigned=True, status=["open"])
    assert listed(db, supervisor, bot_active=True) == [cid]
    with db.transaction() as session:
        counts = queries.inbox_counts(session, session.get_one(User, supervisor.id))
        assert (counts.open, counts.unassigned, counts.unanswered, counts.bot) == (0, 0, 0, 1)
        assert counts.by_department == {}
        assert all(q.open == 0 for q in queue_stats(session))
        row = session.get_one(Conversation, cid)
        assert auto_assign(session, row) is None
        assert row.assignee_id is None and row.awaiting_reply_since is None and row.first_reply_due_at is None

    push(db, box, "m2", text="позовите оператора")
    run_until_idle(db)
    row = conversation(db, cid)
    assert row.bot_state == BotState.HANDED_OFF
    assert row.department_id == returns  # the topic's department, from the bot settings
    assert row.assignee_id == anna.id  # auto-assigned there after the hand-off
    assert row.first_reply_due_at is not None
    assert cid in listed(db, anna, assignee_id=anna.id, status=["open", "pending"])
    [note] = notes(db, cid)
    assert note.author_id is None
    # In the organization's language (English in the tests).
    assert note.text.startswith("The bot handed over: the customer asked for a person.")
    assert "Topic (bot's guess): Returns and exchanges: " in note.text
    assert "Department (bot's guess): Возвраты." in note.text
    # Both messages came before the job ran: the answer to the first, then the hand-off on the second.
    assert "Customer: Как вернуть куртку?\nCustomer: позовите оператора\nBot: Вот что об этом" in note.text
    assert note.text.endswith("\nBot: Конечно, передаю вас сотруднику. Вам скоро ответят здесь же.")
    [handed] = events(db, "bot.handed_off", cid)
    assert handed.payload["category"] == "returns" and handed.payload["department_id"] == returns


def test_bot_replies_never_count_as_first_response(db, demo_help, make_user):
    operator = make_user("operator")
    support = department(db, "Поддержка")
    with db.transaction() as session:
        set_policy(session, Actor.system(), session.get_one(Department, support), first_reply_minutes=30,
                   business_hours_only=False)  # fmt: skip
    box = bot_inbox(db, support)
    start = utcnow()
    result = push(db, box, "m1", text="не проходит оплата")
    run_until_idle(db)
    assert len(bot_messages(db, result.conversation.id)) == 1
    row = conversation(db, result.conversation.id)
    assert row.first_customer_message_at is not None
    assert (row.first_human_reply_at, row.cycle_first_human_reply_at, row.awaiting_reply_since) == (None, None, None)
    assert row.first_reply_due_at is None
    [created] = [e for e in events(db, "message.created", result.conversation.id) if e.payload["direction"] == "out"]
    assert "first_response_seconds" not in created.payload

    # The hand-off starts the human wait; the operator's reply is the first response, counted from it.
    with clock_at(start + timedelta(minutes=10)), db.transaction() as session:
        row = session.get_one(Conversation, result.conversation.id)
        assert bot.hand_off(session, row, reason="customer_request", actor=Actor("customer", row.customer_id))
    row = conversation(db, result.conversation.id)
    assert row.awaiting_reply_since == row.cycle_first_customer_message_at
    assert row.awaiting_reply_since is not None and row.awaiting_reply_since >= start + timedelta(minutes=10)
    assert row.first_reply_due_at == row.awaiting_reply_since + timedelta(minutes=30)
    with clock_at(start + timedelta(minutes=15)), db.transaction() as session:
        row = session.get_one(Conversation, result.conversation.id)
        inbox_actions.reply(session, row, author=session.get_one(User, operator.id), text="Здравствуйте!")
    row = conversation(db, result.conversation.id)
    assert row.first_human_reply_at == start + timedelta(minutes=15)
    reply_event = events(db, "message.created", result.conversation.id)[-1]
    assert reply_event.payload["first_response_seconds"] == 300


def test_an_operator_reply_takes_the_conversation_over(db, demo_help, make_user):
    operator = make_user("operator")
    box = bot_inbox(db)
    result = push(db, box, "m1", text="как списать бонусы")
    run_until_idle(db)
    with db.transaction() as session:
        row = session.get_one(Conversation, result.conversation.id)
        inbox_actions.reply(session, row, author=session.get_one(User, operator.id), text="Я помогу!")
    row = conversation(db, result.conversation.id)
    assert row.bot_state == BotState.HANDED_OFF and row.assignee_id == operator.id
    [handed] = events(db, "bot.handed_off", row.id)
    assert handed.payload["reason"] == "operator" and handed.actor_id == operator.id
    assert [m.text for m in bot_messages(db, row.id)][-1].startswith("Вот что")  # no "passing you" message
    # The customer's next message goes to the operator, not to the bot.
    push(db, box, "m2", text="спасибо, а как списать бонусы частично?")
    run_until_idle(db)
    assert len(bot_messages(db, row.id)) == 1
    assert conversation(db, row.id).awaiting_reply_since is not None


def test_hand_off_is_harmless_when_the_bot_no_longer_has_it(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="human please")
    run_until_idle(db)
    with db.transaction() as session:
        row = session.get_one(Conversation, result.conversation.id)
        assert bot.hand_off(session, row, reason="customer_request", actor=Actor("customer")) is False
        with pytest.raises(DomainError):
            bot.hand_off(session, row, reason="boredom", actor=Actor("customer"))
    assert len(events(db, "bot.handed_off")) == 1


def test_an_inbox_without_the_bot_goes_to_people_directly(db, demo_help):
    with db.transaction() as session:
        box = create_inbox(session, Actor.system(), channel_type="api", name="Plain").inbox
        assert InboxRef.of(box).bot_enabled is False
        box_id = box.id
    result = push(db, box_id, "m1", text="вернуть деньги")
    row = conversation(db, result.conversation.id)
    assert row.bot_state is None and row.awaiting_reply_since is not None
    assert jobs(db, RESPOND_JOB) == []


def test_the_widget_inbox_ref_carries_the_bot_flag():
    from zabota.widget.actions import WidgetInbox

    on = WidgetInbox(1, "k", None, (), {"bot": {"enabled": True}})
    off = WidgetInbox(2, "k2", None, (), {})
    assert (on.ref.bot_enabled, off.ref.bot_enabled) == (True, False)


# --- resolution -----------------------------------------------------------------------------


def _answered_and_resolved(db: Database) -> tuple[int, Any]:
    box = bot_inbox(db)
    result = push(db, box, "m1", text="подарочный сертификат")
    run_until_idle(db)
    with db.transaction() as session:
        row = session.get_one(Conversation, result.conversation.id)
        assert bot.confirm_answer(session, row, helpful=True, actor=Actor("customer", row.customer_id))
    row = conversation(db, result.conversation.id)
    assert row.status == Status.RESOLVED and row.resolved_at is not None
    return box, row


def test_bot_resolved_is_recorded_a_day_later_when_the_customer_does_not_return(db, demo_help):
    _, row = _answered_and_resolved(db)
    with db.transaction() as session:
        assert session.get_one(HelpArticle, article_id(db, "gift-cards")).helpful_yes == 1
    run_until_idle(db)
    assert events(db, "bot.resolved") == []  # not yet: a day must pass
    with clock_at(row.resolved_at + timedelta(hours=24, minutes=1)):
        run_until_idle(db)
    [resolved] = events(db, "bot.resolved", row.id)
    assert resolved.payload["answers"] == 1
    assert conversation(db, row.id).bot_state == BotState.RESOLVED


def test_bot_resolved_is_not_recorded_when_the_customer_returns(db, demo_help):
    box, row = _answered_and_resolved(db)
    with clock_at(row.resolved_at + timedelta(hours=3)):
        push(db, box, "m2", text="а можно вернуть сертификат?")
    with clock_at(row.resolved_at + timedelta(hours=24, minutes=1)):
        run_until_idle(db)
    assert events(db, "bot.resolved") == []
    assert conversation(db, row.id).bot_state != BotState.RESOLVED


def _left_alone_then_a_day_later(db: Database, bot_reply: Message) -> Conversation:
    """The customer never writes after the bot's reply: the idle timer runs, then a day passes.
    Returns the conversation as the idle timer left it."""
    with clock_at(bot_reply.created_at + timedelta(hours=bot.IDLE_HOURS, minutes=1)):
        run_until_idle(db)
    row = conversation(db, bot_reply.conversation_id)
    assert row.resolved_at is not None, "the idle timer did not resolve the conversation"
    with clock_at(row.resolved_at + timedelta(hours=25)):
        run_until_idle(db)
    return row


def test_an_idle_bot_conversation_is_resolved_and_then_counts_as_bot_resolved(db, demo_help):
    box = bot_inbox(db)
    result = push(db, box, "m1", text="как отменить заказ")
    run_until_idle(db)
    [answer] = bot_messages(db, result.conversation.id)
    row = _left_alone_then_a_day_later(db, answer)
    assert row.status == Status.RESOLVED
    assert row.resolved_at is not None
    assert len(events(db, "bot.resolved", row.id)) == 1


# --- settings and intent --------------------------------------------------------------------


def test_bot_settings_are_validated_with_the_inbox(db):
    with db.transaction() as session:
        box = create_inbox(session, Actor.system(), channel_type="api", name="Shop").inbox
        for bad in ({"enabled": "yes"}, {"threshold": 2}, {"max_answers": 0}, {"colour": "red"}, "on",
                    {"departments": {"returns": "x"}}):  # fmt: skip
            with pytest.raises(DomainError):
                update_inbox(session, Actor.system(), box, settings={"bot": bad})
        update_inbox(session, Actor.system(), box, settings={"bot": {"enabled": True, "threshold": 0.7}})
        assert box.settings["bot"] == {"enabled": True, "threshold": 0.7, "max_answers": 2, "departments": {}}
        assert InboxRef.of(session.get_one(Inbox, box.id)).bot_enabled is True


def test_requests_for_a_person_are_recognised():
    asks = ["Позовите человека", "оператор!", "ОПЕРАТОРА пожалуйста", "с живым человеком можно?", "аператор",
            "соедините со специалистом", "Позавите челавека", "human please", "Talk to a person",
            "can I speak to someone", "I need an agent", "live agent", "Живой человек нужен"]  # fmt: skip
    not_asks = ["Где мой заказ", "заказ получил другой человек", "my order is late", "how do I return something",
                "сколько человек в очереди", "промокод не работает"]  # fmt: skip
    assert [t for t in asks if not wants_a_person(t)] == []
    assert [t for t in not_asks if wants_a_person(t)] == []
    assert detect_language("Привет, where") == "ru"
    assert (detect_language("hello"), detect_language("123", "en")) == ("en", "en")


def test_greetings_are_recognised_and_questions_are_not():
    hellos = ["Здравствуйте!", "привет", "Добрый день", "доброе утро!", "Здраствуйте", "всем привет", "Hi there",
              "hello", "Good evening", "hey"]  # fmt: skip
    questions = ["Привет, где мой заказ?", "Добрый день, хочу вернуть товар", "hi, my order is late", "оператор",
                 "день рождения", "", "👋"]  # fmt: skip
    assert [t for t in hellos if not is_greeting(t)] == []
    assert [t for t in questions if is_greeting(t)] == []
