"""Business hours: open or not, time counted only while open, across nights, weekends, holidays, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zabota.sla.calendar import BusinessCalendar, NeverOpen

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS_9_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [], "sun": []}


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


@pytest.fixture
def moscow() -> BusinessCalendar:
    # 2026-11-27 is a Friday; 2026-12-31 a Thursday; 2027-01-08 a Friday.
    return BusinessCalendar.from_settings("Europe/Moscow", WEEKDAYS_9_18, ["2026-12-31", {"date": "2027-01-01"}])


def test_open_during_hours_closed_at_night_at_weekends_and_on_holidays(moscow):
    assert moscow.is_open(msk(2026, 11, 27, 9, 0))
    assert moscow.is_open(msk(2026, 11, 27, 17, 59, 59))
    assert not moscow.is_open(msk(2026, 11, 27, 18, 0))  # ranges are [start, end)
    assert not moscow.is_open(msk(2026, 11, 27, 8, 59))
    assert not moscow.is_open(msk(2026, 11, 28, 12, 0))  # Saturday
    assert not moscow.is_open(msk(2026, 12, 31, 12, 0))  # holiday
    assert moscow.is_open(msk(2026, 11, 27, 6, 30).astimezone(UTC) + timedelta(hours=3))  # 09:30 MSK given in UTC


def test_friday_evening_message_is_due_on_monday_morning(moscow):
    """A customer writes on Friday at 19:30 in Moscow; 30 minutes of reply time run on Monday."""
    written = msk(2026, 11, 27, 19, 30)
    due = moscow.add_business_seconds(written, 30 * 60)
    assert due == msk(2026, 11, 30, 9, 30)
    assert due.tzinfo == UTC
    assert moscow.business_seconds_between(written, due) == 30 * 60
    assert moscow.next_opening(written) == msk(2026, 11, 30, 9, 0)


def test_time_counts_to_closing_and_continues_next_business_day(moscow):
    assert moscow.add_business_seconds(msk(2026, 11, 26, 17, 45), 30 * 60) == msk(2026, 11, 27, 9, 15)
    assert moscow.add_business_seconds(msk(2026, 11, 26, 17, 30), 30 * 60) == msk(2026, 11, 26, 18, 0)
    assert moscow.add_business_seconds(msk(2026, 11, 26, 10, 0), 0) == msk(2026, 11, 26, 10, 0)
    assert moscow.add_business_seconds(msk(2026, 11, 26, 18, 0), 0) == msk(2026, 11, 27, 9, 0)
    # Two full business days of 9 hours from Friday 09:00 end on Monday at 18:00.
    assert moscow.add_business_seconds(msk(2026, 11, 27, 9, 0), 18 * 3600) == msk(2026, 11, 30, 18, 0)
    with pytest.raises(ValueError):
        moscow.add_business_seconds(msk(2026, 11, 26, 10, 0), -1)


def test_holidays_are_skipped(moscow):
    # Wednesday 17:00 + 2 business hours: 1 h on Wednesday, Thursday 31st and Friday 1st are holidays.
    assert moscow.add_business_seconds(msk(2026, 12, 30, 17, 0), 2 * 3600) == msk(2027, 1, 4, 10, 0)
    assert moscow.next_opening(msk(2026, 12, 30, 18, 0)) == msk(2027, 1, 4, 9, 0)
    assert moscow.end_of_business_day(msk(2026, 12, 31, 11, 0)) == msk(2027, 1, 4, 18, 0)


def test_business_seconds_between(moscow):
    assert moscow.business_seconds_between(msk(2026, 11, 27, 17, 0), msk(2026, 11, 30, 10, 0)) == 2 * 3600
    assert moscow.business_seconds_between(msk(2026, 11, 28, 1, 0), msk(2026, 11, 29, 23, 0)) == 0
    assert moscow.business_seconds_between(msk(2026, 11, 30, 10, 0), msk(2026, 11, 27, 10, 0)) == 0
    # A whole week: five days of nine hours.
    assert moscow.business_seconds_between(msk(2026, 11, 23), msk(2026, 11, 30)) == 5 * 9 * 3600


def test_end_of_business_day(moscow):
    assert moscow.end_of_business_day(msk(2026, 11, 27, 8, 0)) == msk(2026, 11, 27, 18, 0)
    assert moscow.end_of_business_day(msk(2026, 11, 27, 12, 0)) == msk(2026, 11, 27, 18, 0)
    assert moscow.end_of_business_day(msk(2026, 11, 27, 18, 5)) == msk(2026, 11, 30, 18, 0)
    assert moscow.end_of_business_day(msk(2026, 11, 29, 12, 0)) == msk(2026, 11, 30, 18, 0)
    assert moscow.end_of_calendar_day(msk(2026, 11, 27, 12, 0)) == msk(2026, 11, 28, 0, 0)


def test_split_shifts_and_overlapping_ranges():
    cal = BusinessCalendar.from_settings(
        "Europe/Moscow", {"mon": [["14:00", "18:00"], ["09:00", "13:00"], ["12:00", "13:30"]]}
    )
    monday = (2026, 11, 30)
    assert [
        (s.astimezone(MSK).time().isoformat(), e.astimezone(MSK).time().isoformat())
        for s, e in cal.intervals(datetime(*monday).date())
    ] == [("09:00:00", "13:30:00"), ("14:00:00", "18:00:00")]
    assert not cal.is_open(msk(*monday, 13, 45))
    assert cal.next_opening(msk(*monday, 13, 45)) == msk(*monday, 14, 0)
    assert cal.add_business_seconds(msk(*monday, 13, 0), 60 * 60) == msk(*monday, 14, 30)
    assert cal.end_of_business_day(msk(*monday, 10, 0)) == msk(*monday, 18, 0)
    # Only Mondays: the next opening after Monday evening is a week later.
    assert cal.next_opening(msk(*monday, 19, 0)) == msk(2026, 12, 7, 9, 0)


def test_midnight_and_end_of_day_ranges():
    cal = BusinessCalendar.from_settings("Europe/Moscow", {"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]})
    # Friday 23:00 + 2 h: one hour until midnight, one after it on Saturday.
    assert cal.add_business_seconds(msk(2026, 11, 27, 23, 0), 2 * 3600) == msk(2026, 11, 28, 1, 0)
    assert cal.is_open(msk(2026, 11, 27, 23, 59))
    assert cal.is_open(msk(2026, 11, 28, 0, 0))
    assert cal.business_seconds_between(msk(2026, 11, 27, 21, 0), msk(2026, 11, 28, 3, 0)) == 5 * 3600


def test_berlin_spring_forward_day_is_an_hour_shorter():
    """On 2026-03-29 clocks in Berlin jump from 02:00 to 03:00."""
    cal = BusinessCalendar.from_settings("Europe/Berlin", {"sun": [["00:00", "23:59"]], "sat": [["01:00", "04:00"]]})
    assert cal.business_seconds_between(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0)) == (22 * 3600 + 59 * 60)
    # 01:00–04:00 local on the switch day is two real hours (01:00 CET = 00:00 UTC, 04:00 CEST = 02:00 UTC).
    cal2 = BusinessCalendar.from_settings("Europe/Berlin", {"sun": [["01:00", "04:00"]]})
    assert cal2.business_seconds_between(berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 29, 12, 0)) == 2 * 3600
    # 90 minutes from 01:00 CET land at 03:30 CEST (the skipped hour does not exist).
    assert cal2.add_business_seconds(berlin(2026, 3, 29, 1, 0), 90 * 60) == berlin(2026, 3, 29, 3, 30)
    assert cal2.add_business_seconds(berlin(2026, 3, 29, 1, 0), 90 * 60) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # Times in the skipped hour are shifted forward by it: 02:10–02:50 is read as 03:10–03:50 CEST,
    # and 02:30–03:00 (that is 03:30–03:00) has no time at all.
    gap = BusinessCalendar.from_settings("Europe/Berlin", {"sun": [["02:10", "02:50"]]})
    assert gap.intervals(datetime(2026, 3, 29).date()) == [(berlin(2026, 3, 29, 3, 10), berlin(2026, 3, 29, 3, 50))]
    empty = BusinessCalendar.from_settings("Europe/Berlin", {"sun": [["02:30", "03:00"]]})
    assert empty.intervals(datetime(2026, 3, 29).date()) == []


def test_berlin_fall_back_day_is_an_hour_longer():
    """On 2026-10-25 clocks in Berlin go back from 03:00 to 02:00."""
    cal = BusinessCalendar.from_settings("Europe/Berlin", {"sun": [["01:00", "04:00"]]})
    assert cal.business_seconds_between(berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 25, 12, 0)) == 4 * 3600
    assert cal.add_business_seconds(berlin(2026, 10, 25, 1, 0), 3 * 3600) == berlin(2026, 10, 25, 3, 0)
    # The second 02:30 (CET, fold=1) is an hour after the first one, and both are open.
    assert cal.is_open(berlin(2026, 10, 25, 2, 30, fold=1))
    assert cal.business_seconds_between(berlin(2026, 10, 25, 2, 30), berlin(2026, 10, 25, 2, 30, fold=1)) == 3600


def test_weekday_hours_keep_local_time_across_dst():
    """09:00–18:00 stays 09:00–18:00 on the wall: 07:00 UTC in summer, 08:00 UTC in winter."""
    cal = BusinessCalendar.from_settings("Europe/Berlin", WEEKDAYS_9_18)
    friday_before, monday_after = berlin(2026, 3, 27, 17, 0), berlin(2026, 3, 30, 10, 0)
    assert cal.business_seconds_between(friday_before, monday_after) == 2 * 3600
    assert cal.add_business_seconds(friday_before, 2 * 3600) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert cal.next_opening(berlin(2026, 3, 28, 12, 0)) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert cal.next_opening(berlin(2026, 10, 24, 12, 0)) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_a_calendar_that_never_opens():
    cal = BusinessCalendar.from_settings("Europe/Moscow", {})
    assert not cal.has_hours
    assert not cal.is_open(msk(2026, 11, 27, 12, 0))
    assert cal.next_opening(msk(2026, 11, 27, 12, 0)) is None
    assert cal.end_of_business_day(msk(2026, 11, 27, 12, 0)) is None
    assert cal.business_seconds_between(msk(2026, 11, 27), msk(2026, 12, 27)) == 0
    with pytest.raises(NeverOpen):
        cal.add_business_seconds(msk(2026, 11, 27, 12, 0), 60)


def test_naive_datetimes_are_refused(moscow):
    with pytest.raises(ValueError):
        moscow.is_open(datetime(2026, 11, 27, 12, 0))


def test_for_organization_reads_the_settings_and_is_cached():
    class Org:
        timezone = "Europe/Moscow"
        business_hours = WEEKDAYS_9_18
        holidays = ("2026-12-31", "not a date")

    first, second = BusinessCalendar.for_organization(Org()), BusinessCalendar.for_organization(Org())
    assert first is second
    assert not first.is_open(msk(2026, 12, 31, 12, 0))
    assert first.is_open(msk(2026, 12, 30, 12, 0))
