"""The organization's business hours as a calendar: when it is open, and time counted while open.

Hours are weekly `[start, end)` "HH:MM" ranges per weekday in the organization's timezone
(`Organization.business_hours`, e.g. `{"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "sat": []}`);
holidays are ISO dates on which it is closed all day. A missing weekday is closed. An end of
"24:00" means midnight at the end of the day.

Everything is computed on real instants: each day's ranges are turned into aware UTC intervals
with `zoneinfo`, so a range that spans a DST switch lasts what the clock on the wall says in
real time (09:00–18:00 on the day summer time starts is still nine hours, 00:00–06:00 that day
is five). A local time that does not exist (the skipped hour) is read with the offset in force
before the switch, i.e. shifted forward; an ambiguous one (the repeated hour) is its first
occurrence. Arguments and results are aware datetimes; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead to look for an opening before deciding that the calendar never opens.
HORIZON_DAYS = 3660
MINUTES_PER_DAY = 24 * 60

Interval = tuple[datetime, datetime]


class NeverOpen(ValueError):
    """The calendar has no open time within the horizon (no hours, or every day a holiday)."""


def _minutes(value: str) -> int:
    hours, _, minutes = value.partition(":")
    total = int(hours) * 60 + int(minutes)
    if not 0 <= total <= MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {value!r}")
    return total


def _parse_holiday(value: Any) -> date | None:
    raw = value.get("date") if isinstance(value, Mapping) else value
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class BusinessCalendar:
    """Open hours of one timezone; build it with `from_settings` or `for_organization`."""

    timezone: ZoneInfo
    # Seven entries, Monday first: sorted, merged (start, end) minute ranges within the day.
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date]

    @classmethod
    def from_settings(
        cls, timezone: str, business_hours: Mapping[str, Any], holidays: Iterable[Any] = ()
    ) -> BusinessCalendar:
        weekly: list[tuple[tuple[int, int], ...]] = []
        for day in WEEKDAYS:
            ranges = sorted(
                (_minutes(pair[0]), _minutes(pair[1]))
                for pair in business_hours.get(day) or []
                if _minutes(pair[0]) < _minutes(pair[1])
            )
            merged: list[tuple[int, int]] = []
            for start, end in ranges:
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            weekly.append(tuple(merged))
        days_off = frozenset(d for d in (_parse_holiday(h) for h in holidays) if d is not None)
        return cls(ZoneInfo(timezone), tuple(weekly), days_off)

    @classmethod
    def for_organization(cls, org: Any) -> BusinessCalendar:
        """The calendar of an `Organization` row (timezone, business_hours, holidays)."""
        holidays = tuple(sorted({str(d) for d in (_parse_holiday(h) for h in org.holidays or ()) if d is not None}))
        return _cached(org.timezone, _freeze(org.business_hours or {}), holidays)

    @property
    def has_hours(self) -> bool:
        return any(self.weekly)

    # --- the building block: one local day's open intervals as real instants ----------------

    def local_date(self, at: datetime) -> date:
        return _aware(at).astimezone(self.timezone).date()

    def intervals(self, day: date) -> list[Interval]:
        """The open intervals of a local date, in UTC, in order; empty on a holiday or day off."""
        if day in self.holidays:
            return []
        out: list[Interval] = []
        for start, end in self.weekly[day.weekday()]:
            begins, ends = self._instant(day, start), self._instant(day, end)
            if begins < ends:  # e.g. 02:30–03:00 on the day the clock jumps from 02:00 to 03:00
                if out and begins <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], ends))
                else:
                    out.append((begins, ends))
        return out

    def _instant(self, day: date, minutes: int) -> datetime:
        if minutes >= MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), minutes - MINUTES_PER_DAY
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.timezone)
        return local.astimezone(UTC)

    def _days_from(self, at: datetime) -> Iterator[tuple[date, list[Interval]]]:
        day = self.local_date(at)
        for _ in range(HORIZON_DAYS):
            yield day, self.intervals(day)
            day += timedelta(days=1)

    # --- questions -------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _aware(at)
        return any(start <= at < end for start, end in self.intervals(self.local_date(at)))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first moment at or after `at` when it is open: `at` itself while open; None if never."""
        at = _aware(at).astimezone(UTC)
        if not self.has_hours:
            return None
        for _day, intervals in self._days_from(at):
            for start, end in intervals:
                if end > at:
                    return max(start, at)
        return None

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of open time in `[start, end)`; 0 when `end` is not after `start`."""
        start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
        if end <= start:
            return 0.0
        total = timedelta()
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            for begins, ends in self.intervals(day):
                overlap = min(ends, end) - max(begins, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds()

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment when `seconds` of open time have passed since `start` (a due time).

        Time outside business hours does not count: 30 minutes from Friday 17:45 with hours
        09:00–18:00 is Monday 09:15. Zero seconds is `start` while open, else the next opening.
        A target that ends exactly at closing time is due at closing time.
        Raises NeverOpen when the calendar has no open time.
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        start = _aware(start).astimezone(UTC)
        if not self.has_hours:
            raise NeverOpen("the calendar has no business hours")
        remaining = timedelta(seconds=seconds)
        for _day, intervals in self._days_from(start):
            for begins, ends in intervals:
                begins = max(begins, start)
                if begins >= ends:
                    continue
                if begins + remaining <= ends:
                    return begins + remaining
                remaining -= ends - begins
        raise NeverOpen(f"no open time within {HORIZON_DAYS} days")

    def end_of_business_day(self, at: datetime) -> datetime | None:
        """Closing time of the business day that `at` falls in ("resolved the same day").

        During or before the day's hours it is today's last closing time; after closing, or on
        a day off, it is the closing time of the next business day. None if it never opens.
        """
        at = _aware(at).astimezone(UTC)
        if not self.has_hours:
            return None
        for _day, intervals in self._days_from(at):
            if intervals and intervals[-1][1] > at:
                return intervals[-1][1]
        return None

    def end_of_calendar_day(self, at: datetime) -> datetime:
        """Local midnight at the end of the day `at` falls in (the same-day target without hours)."""
        day = self.local_date(at) + timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=self.timezone).astimezone(UTC)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("business hours need an aware datetime")
    return at


def _freeze(hours: Mapping[str, Any]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    return tuple(
        (day, tuple((str(pair[0]), str(pair[1])) for pair in ranges or ()))
        for day, ranges in sorted(hours.items())
        if isinstance(ranges, list | tuple)
    )


@lru_cache(maxsize=32)
def _cached(
    timezone: str, hours: tuple[tuple[str, tuple[tuple[str, str], ...]], ...], holidays: tuple[str, ...]
) -> BusinessCalendar:
    return BusinessCalendar.from_settings(timezone, {day: [list(p) for p in ranges] for day, ranges in hours}, holidays)
