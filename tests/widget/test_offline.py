"""Outside business hours or with nobody online the widget says when we will answer."""

from __future__ import annotations

from datetime import UTC, datetime

from zabota.auth.actions import start_session
from zabota.events.actions import Actor
from zabota.org.actions import update_organization
from zabota.widget.queries import availability, offline_notice

HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _hours(db, timezone="Europe/Moscow"):
    with db.transaction() as session:
        update_organization(session, Actor.system(), timezone=timezone, business_hours=HOURS, holidays=["2026-11-27"])


def test_closed_in_the_evening_answers_tomorrow_morning(db):
    _hours(db)
    evening = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # Tuesday 20:30 in Moscow
    with db.transaction() as session:
        state = availability(session, evening)
        assert not state.open_now and not state.available
        assert state.next_opening == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 09:00 Moscow
        assert offline_notice(session, state, "en", evening) == (
            "We are closed now. We will answer tomorrow after 09:00 (Moscow time)."
        )
        assert offline_notice(session, state, "ru", evening) == (
            "Сейчас мы закрыты. Ответим завтра после 09:00 (время: Москва)."
        )


def test_a_holiday_and_the_weekend_push_the_answer_to_monday(db):
    _hours(db)
    thursday_night = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # Thu 23:00 Moscow; Fri is a holiday
    with db.transaction() as session:
        state = availability(session, thursday_night)
        assert state.next_opening == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
        assert "on November 30 after 09:00" in (offline_notice(session, state, "en", thursday_night) or "")
        assert "30 ноября после 09:00" in (offline_notice(session, state, "ru", thursday_night) or "")


def test_open_hours_with_nobody_online_and_with_someone_online(db, make_user):
    _hours(db)
    noon = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 12:00 Moscow
    with db.transaction() as session:
        state = availability(session, noon)
        assert state.open_now and not state.someone_online
        assert offline_notice(session, state, "en", noon) == (
            "Nobody is online right now; we will answer as soon as we can."
        )
    operator = make_user("operator")
    with db.transaction() as session:
        start_session(session, session.merge(operator), days=1)
    with db.transaction() as session:
        state = availability(session, noon)
        assert state.available
        assert offline_notice(session, state, "en", noon) is None


def test_config_tells_the_widget(client, db, widget_inbox):
    _hours(db)
    _, key = widget_inbox()
    body = client.get(f"/widget/v1/{key}/config?lang=ru").json()
    assert body["available"] is False  # nobody is online in this test
    assert body["offline_notice"]
    assert body["strings"]["offline_email"].startswith("Оставьте")
