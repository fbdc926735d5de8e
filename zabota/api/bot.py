"""The first-line bot's numbers for supervisors and analysts."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel

from zabota.api.deps import DbSession, Principal, require
from zabota.auth.roles import Permission
from zabota.bot.queries import bot_stats
from zabota.db import utcnow

router = APIRouter(tags=["bot"])
DEFAULT_PERIOD = timedelta(days=30)


class ArticleHelpfulnessOut(BaseModel):
    article_id: int
    slug: str
    answers: int
    helpful_yes: int
    helpful_no: int
    helpful_share: float | None


class BotStatsOut(BaseModel):
    since: datetime
    until: datetime
    conversations: int
    answered: int
    handed_off: int
    handed_off_by_reason: dict[str, int]
    handoff_rate: float | None
    resolved: int
    resolved_rate: float | None
    articles: list[ArticleHelpfulnessOut]


@router.get("/bot/stats", response_model=BotStatsOut)
def get_bot_stats(
    session: DbSession,
    since: datetime | None = None,
    until: datetime | None = None,
    principal: Principal = require(Permission.REPORTS_READ),
) -> BotStatsOut:
    """Answers, hand-offs by reason, hand-off rate, bot-resolved and article helpfulness in
    [since, until) (default: the last 30 days). Conversations the bot took are those opened in
    the period; the other figures are events in it."""
    until = until or utcnow()
    since = since or until - DEFAULT_PERIOD
    stats = bot_stats(session, since, until)
    return BotStatsOut(
        since=stats.since,
        until=stats.until,
        conversations=stats.conversations,
        answered=stats.answered,
        handed_off=stats.handed_off_total,
        handed_off_by_reason=stats.handed_off,
        handoff_rate=stats.handoff_rate,
        resolved=stats.resolved,
        resolved_rate=stats.resolved_rate,
        articles=[
            ArticleHelpfulnessOut(
                article_id=a.article_id,
                slug=a.slug,
                answers=a.answers,
                helpful_yes=a.helpful_yes,
                helpful_no=a.helpful_no,
                helpful_share=a.helpful_share,
            )
            for a in stats.articles
        ],
    )
