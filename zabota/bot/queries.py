"""Read side of the bot: whether a channel should offer the hand-off button, and the bot's numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from zabota.bot.actions import HANDOFF_REASONS
from zabota.bot.models import BotTurn
from zabota.conversations.models import BotState, Conversation
from zabota.errors import DomainError
from zabota.events.models import DomainEvent
from zabota.helpcenter.models import HelpArticle, HelpFeedback


def bot_offers_handoff(conversation: Conversation) -> bool:
    """True while the bot handles the conversation: show «Talk to a person» under its messages."""
    return conversation.bot_state == BotState.ACTIVE


@dataclass(frozen=True)
class ArticleHelpfulness:
    article_id: int
    slug: str
    answers: int  # bot answers that quoted it in the period
    helpful_yes: int  # "was this helpful?" answers in the period (portal, widget and bot)
    helpful_no: int

    @property
    def helpful_share(self) -> float | None:
        total = self.helpful_yes + self.helpful_no
        return self.helpful_yes / total if total else None


@dataclass(frozen=True)
class BotStats:
    """The bot's work in [since, until).

    `conversations`: conversations the bot took (opened in the period); `answered`: its answers;
    `handed_off` by reason and `resolved` (`bot.resolved`: closed without a hand-off and no return
    within 24 h): events in the period. The rates divide those by `conversations`.
    """

    since: datetime
    until: datetime
    conversations: int
    answered: int
    handed_off: dict[str, int]
    resolved: int
    articles: list[ArticleHelpfulness] = field(default_factory=list)

    @property
    def handed_off_total(self) -> int:
        return sum(self.handed_off.values())

    @property
    def handoff_rate(self) -> float | None:
        return self.handed_off_total / self.conversations if self.conversations else None

    @property
    def resolved_rate(self) -> float | None:
        """Deflection: the share of the bot's conversations it resolved without people."""
        return self.resolved / self.conversations if self.conversations else None


def bot_stats(session: Session, since: datetime, until: datetime) -> BotStats:
    if since.tzinfo is None or until.tzinfo is None:
        raise DomainError("Give since and until with a time zone offset.", code="bad_period")
    if since >= until:
        raise DomainError("The period must end after it starts.", code="bad_period")
    conversations = session.scalar(
        select(func.count()).where(
            Conversation.bot_state.is_not(None), Conversation.opened_at >= since, Conversation.opened_at < until
        )
    )
    answered = session.scalar(
        select(func.count()).where(
            BotTurn.outcome == "answered", BotTurn.created_at >= since, BotTurn.created_at < until
        )
    )
    in_period = (DomainEvent.created_at >= since, DomainEvent.created_at < until)
    reason = DomainEvent.payload["reason"].as_string()
    handed_off = dict.fromkeys(HANDOFF_REASONS, 0)
    for name, count in session.execute(
        select(reason, func.count()).where(DomainEvent.type == "bot.handed_off", *in_period).group_by(reason)
    ):
        handed_off[str(name)] = int(count)
    resolved = session.scalar(select(func.count()).where(DomainEvent.type == "bot.resolved", *in_period))
    cited = dict(
        session.execute(
            select(BotTurn.article_id, func.count())
            .where(
                BotTurn.outcome == "answered",
                BotTurn.article_id.is_not(None),
                BotTurn.created_at >= since,
                BotTurn.created_at < until,
            )
            .group_by(BotTurn.article_id)
        ).all()
    )
    feedback = {
        row[0]: (int(row[1]), int(row[2]))
        for row in session.execute(
            select(
                HelpFeedback.article_id,
                func.coalesce(func.sum(case((HelpFeedback.helpful.is_(True), 1), else_=0)), 0),
                func.coalesce(func.sum(case((HelpFeedback.helpful.is_(False), 1), else_=0)), 0),
            )
            .where(HelpFeedback.created_at >= since, HelpFeedback.created_at < until)
            .group_by(HelpFeedback.article_id)
        )
    }
    ids = set(cited) | set(feedback)
    slugs = dict(session.execute(select(HelpArticle.id, HelpArticle.slug).where(HelpArticle.id.in_(ids))).all())
    articles = [
        ArticleHelpfulness(
            article_id, slugs[article_id], int(cited.get(article_id, 0)), *feedback.get(article_id, (0, 0))
        )
        for article_id in ids
        if article_id in slugs
    ]
    articles.sort(key=lambda a: (-a.answers, -(a.helpful_yes + a.helpful_no), a.article_id))
    return BotStats(since, until, conversations or 0, answered or 0, handed_off, resolved or 0, articles)
