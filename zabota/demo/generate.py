"""`zabota demo-data`: a seeded, reproducible, realistic history for a demo online shop.

Two halves. `plan_demo` turns a `DemoSpec` into a `DemoPlan` without touching the database:
customers, and for each conversation a timed list of steps (a customer writes, an operator
answers, transfers, notes, waits for the customer, snoozes, resolves…). It draws every random
number from one `random.Random(seed)` and places every moment relative to the anchor ("now" unless
the spec fixes it), so the same seed and anchor always give the same plan. `load_demo` then plays
the plan through the real domain actions, in time order, each one under `clock_at(step time)`:
the data is exactly what the product itself would have recorded had it lived through those days.

Steps that would fall after the anchor are never played, so the most recent conversations are
caught mid-way: unanswered, waiting for the customer, snoozed or in progress; that is the demo's
live queue. Older conversations are mostly resolved; a few were reopened by the customer.
"""

from __future__ import annotations

import contextlib
import math
import random
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zabota.auth.actions import create_user
from zabota.auth.models import User
from zabota.channels.actions import create_inbox
from zabota.channels.models import Inbox
from zabota.conversations.actions import (
    InboundMessage,
    add_note,
    assign,
    ingest_inbound_message,
    reply,
    set_priority,
    set_status,
    transfer,
    wake_if_due,
)
from zabota.conversations.models import Conversation, Mention, Message, Note, Status
from zabota.customers.actions import CustomerProfile, create_customer, update_customer
from zabota.customers.models import Customer
from zabota.db import Database, clock_at
from zabota.demo import people, texts
from zabota.demo.people import DEPARTMENTS, INBOXES, OPERATORS, STAFF, SUPERVISOR, StaffMember
from zabota.demo.texts import Scenario
from zabota.departments.actions import add_member, create_department
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor
from zabota.helpcenter.demo_articles import load_help_center
from zabota.org.actions import update_organization
from zabota.org.models import Organization

DEMO_ADMIN_EMAIL = people.ADMIN.email
DEMO_ADMIN_PASSWORD = "zabota-demo"
DEMO_PASSWORD = DEMO_ADMIN_PASSWORD  # every demo colleague has it
DEMO_ORG_NAME = "Забота — демо-магазин"
TIMEZONE = "Europe/Moscow"
REOPEN_WINDOW_HOURS = 72
MAX_CONVERSATIONS = 100_000
BATCH_STEPS = 500  # steps per transaction while loading

_TZ = ZoneInfo(TIMEZONE)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The care team works every day, longer on weekdays (Moscow time): [opening hour, closing hour).
_HOURS = {0: (9, 21), 1: (9, 21), 2: (9, 21), 3: (9, 21), 4: (9, 21), 5: (10, 18), 6: (10, 18)}
BUSINESS_HOURS: dict[str, Any] = {
    day: [[f"{_HOURS[i][0]:02d}:00", f"{_HOURS[i][1]:02d}:00"]] for i, day in enumerate(_WEEKDAYS)
}
# When customers start conversations, by local hour (they write at all hours, mostly by day).
_START_HOUR_WEIGHTS = (
    0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3.5, 4.5, 5.0,
    5.0, 4.8, 4.6, 4.5, 4.4, 4.3, 4.4, 4.6, 4.8, 4.2, 3.0, 1.7,
)  # fmt: skip
_WEEKDAY_WEIGHTS = (1.15, 1.1, 1.05, 1.0, 0.95, 0.8, 0.85)
_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")  # fmt: skip
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")  # fmt: skip
_GENDER_RE = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")
_FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
# How often a question that belongs to another department is transferred there (else answered in place).
_TRANSFER_SHARE = {"support": 0.5, "sales": 0.4, "returns": 0.8}
_M = TypeVar("_M")


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. `customers` defaults to 60% of `conversations`; `anchor` to now."""

    conversations: int = 1000
    seed: int = 42
    customers: int | None = None
    days: int = 120
    anchor: datetime | None = None

    @property
    def customer_count(self) -> int:
        if self.customers is not None:
            return self.customers
        return max(1, round(self.conversations * 0.6))

    def validate(self) -> None:
        if not 1 <= self.conversations <= MAX_CONVERSATIONS:
            raise DomainError(
                "Conversations must be between 1 and {limit}.", limit=MAX_CONVERSATIONS, code="bad_demo_spec"
            )
        if self.days < 7:
            raise DomainError("Demo history needs at least 7 days.", code="bad_demo_spec")
        if self.customer_count < 1:
            raise DomainError("Demo data needs at least one customer.", code="bad_demo_spec")
        per_customer = min(10, max(1, self.days // 5))
        if self.customer_count * per_customer < self.conversations:
            raise DomainError(
                "Too few customers for that many conversations: over {days} days a customer has at most"
                " {per_customer} of them.",
                days=self.days,
                per_customer=per_customer,
                code="bad_demo_spec",
            )
        if self.anchor is not None and self.anchor.tzinfo is None:
            raise DomainError("The anchor must be a timezone-aware datetime.", code="bad_demo_spec")


# --- the plan -------------------------------------------------------------------------------------


@dataclass
class CustomerPlan:
    index: int
    name: str
    first_name: str
    gender: str
    language: str
    email: str
    phone: str | None  # as the customer typed it; the domain normalises it
    city: str
    birthday: date | None
    orders_count: int
    total_spent: int
    tier: str
    primary_inbox: str
    secondary_inbox: str | None
    identities: dict[str, str]  # inbox key -> the source's id for this person
    platform: str
    tags: list[str] = field(default_factory=list)
    writes: bool = True  # False: known from the shop's CRM only, never wrote to support
    created_at: datetime | None = None  # for CRM-only customers
    crm_profile: dict[str, Any] | None = None  # for CRM-only customers

    def profile_changes(self, first_contact: datetime, rng: random.Random) -> dict[str, Any]:
        """What the shop's CRM tells Zabota about this person after their first contact."""
        since = first_contact.date() - timedelta(days=rng.randint(20, 1500) if self.orders_count > 1 else 0)
        changes: dict[str, Any] = {
            "attributes": {
                "city": self.city,
                "loyalty_tier": self.tier,
                "orders_count": self.orders_count,
                "total_spent": self.total_spent,
                "member_since": since.isoformat(),
                "preferred_delivery": rng.choice(("courier", "courier", "pickup_point", "parcel_locker")),
            },
            "consents": {
                "personal_data": True,
                "marketing_email": rng.random() < 0.55,
                "marketing_sms": rng.random() < 0.3,
            },
            "tags": list(self.tags),
        }
        if self.birthday is not None:
            changes["birthday"] = self.birthday
        return changes


@dataclass(frozen=True)
class Step:
    """One domain action at one moment. `user` acts (a staff handle); `target` is what it acts on:
    the assignee's handle, a department key, or a status."""

    at: datetime
    kind: str  # message | reply | note | assign | transfer | status | wake | priority | profile | consent | tag
    text: str = ""
    user: str | None = None
    target: str | None = None
    until: datetime | None = None
    urgent: bool = False
    important: bool = False
    external_id: str | None = None
    changes: dict[str, Any] | None = None


@dataclass
class ConversationPlan:
    index: int
    customer: int
    inbox: str
    scenario: str
    language: str
    subject: str
    steps: list[Step]
    status: str  # what it is at the anchor
    reopened: bool = False


@dataclass
class DemoPlan:
    spec: DemoSpec
    anchor: datetime
    setup_at: datetime
    customers: list[CustomerPlan]
    conversations: list[ConversationPlan]

    @property
    def step_count(self) -> int:
        return sum(len(c.steps) for c in self.conversations)


def plan_demo(spec: DemoSpec) -> DemoPlan:
    """The whole demo history, decided up front; the same spec (seed and anchor) gives the same plan."""
    spec.validate()
    anchor = (spec.anchor or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    history_start = anchor - timedelta(days=spec.days)
    rng = random.Random(spec.seed)
    taken: set[str] = set()
    customers = [_plan_customer(rng, i, taken) for i in range(spec.customer_count)]
    starts = _conversation_starts(rng, spec.conversations, anchor, spec.days)
    planner = _Planner(rng, anchor, history_start, customers, spec.conversations)
    conversations = [planner.plan(i, start) for i, start in enumerate(starts)]
    for customer in customers:
        if not planner.conversation_count.get(customer.index):
            customer.writes = False
            customer.created_at = history_start + timedelta(seconds=rng.randint(0, spec.days * 86400 - 3600))
            customer.crm_profile = customer.profile_changes(customer.created_at, rng)
    return DemoPlan(spec, anchor, history_start - timedelta(days=14), customers, conversations)


# --- customers ----------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", people.translit(text))
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in plain if not unicodedata.combining(ch)).lower())


def _unique(rng: random.Random, candidate: str, taken: set[str], bump: Any) -> str:
    value = candidate
    while value in taken:
        value = bump(rng)
    taken.add(value)
    return value


def _plan_customer(rng: random.Random, index: int, taken: set[str]) -> CustomerPlan:
    language = "ru" if rng.random() < 0.75 else "en"
    gender = rng.choice("mf")
    domains: Sequence[tuple[str, float]]
    if language == "ru":
        first = rng.choice(people.RU_MALE if gender == "m" else people.RU_FEMALE)
        last = rng.choice(people.RU_SURNAMES)
        last = last if gender == "m" else people.feminine_surname(last)
        domains = people.EMAIL_DOMAINS_RU
    else:
        first = rng.choice(people.EN_MALE if gender == "m" else people.EN_FEMALE)
        last = rng.choice(people.EN_SURNAMES)
        domains = people.EMAIL_DOMAINS_EN
    name = first if rng.random() < 0.1 else f"{first} {last}"
    birthday = None
    if rng.random() < 0.6:
        birthday = date(rng.randint(1958, 2005), rng.randint(1, 12), rng.randint(1, 28))
    year = (birthday.year if birthday else rng.randint(1970, 2004)) % 100
    f, la = _ascii(first), _ascii(last)
    local = rng.choice(
        (f"{f}.{la}", f"{f}.{la}", f"{f}{la}{year:02d}", f"{f[0]}.{la}", f"{la}.{f}", f"{f}_{year:02d}",
         f"{la}{rng.randint(1, 999)}")
    )  # fmt: skip
    domain = _weighted(rng, domains)
    email = _unique(rng, f"{local}@{domain}", taken, lambda r: f"{local}{r.randint(2, 9999)}@{domain}")
    phone: str | None = None
    if rng.random() < (0.85 if language == "ru" else 0.6):
        phone = _phone(rng, language, taken)
    orders = min(60, int(rng.paretovariate(1.15)))
    if rng.random() < 0.15:
        orders = rng.choice((0, 1))
    total = sum(rng.randint(1500, 12000) for _ in range(orders))
    tier = "platinum" if total >= 200_000 else "gold" if total >= 60_000 else "silver" if total >= 15_000 else "base"
    tags = []
    if tier == "platinum" or (tier == "gold" and rng.random() < 0.3):
        tags.append("vip")
    if orders >= 8:
        tags.append("постоянный клиент")
    if orders <= 1:
        tags.append("новый клиент")
    if rng.random() < 0.03:
        tags.append("b2b")
    if rng.random() < 0.02:
        tags.append("блогер")
    primary = _weighted(rng, tuple(people.INBOX_SHARE.items()))
    secondary = None
    if rng.random() < 0.3:
        secondary = rng.choice([i.key for i in INBOXES if i.key != primary])
    return CustomerPlan(
        index=index,
        name=name,
        first_name=first,
        gender=gender,
        language=language,
        email=email,
        phone=phone,
        city=_weighted(rng, people.CITIES if language == "ru" else people.CITIES_EN),
        birthday=birthday,
        orders_count=orders,
        total_spent=total,
        tier=tier,
        primary_inbox=primary,
        secondary_inbox=secondary,
        identities={
            "site": f"u{204117 + index * 13}",
            "app": f"app-{(index * 7919 + 1_234_567) % 10**8:08d}",
            "marketplace": f"mp-buyer-{3_100_000 + index * 17}",
        },
        platform=rng.choice(("iOS", "Android", "Android")),
        tags=tags,
    )


def _phone(rng: random.Random, language: str, taken: set[str]) -> str:
    while True:
        if language == "en" and rng.random() < 0.5:
            digits = f"447700900{rng.randint(0, 999):03d}"  # the UK's range for drama and fiction
            typed = f"+44 7700 900{digits[-3:]}"
        else:
            code, rest = rng.choice(people.RU_MOBILE_CODES), f"{rng.randint(0, 9_999_999):07d}"
            digits = f"7{code}{rest}"
            typed = rng.choice(
                (
                    f"+7 ({code}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
                    f"8{code}{rest}",
                    f"+7{code}{rest}",
                    f"8 {code} {rest[:3]} {rest[3:5]} {rest[5:]}",
                )
            )
        if digits not in taken:
            taken.add(digits)
            return typed


# --- when conversations start ----------------------------------------------------------------------


def _conversation_starts(rng: random.Random, count: int, anchor: datetime, days: int) -> list[datetime]:
    """Business grows a little over the period; weekdays are busier; a sale week spikes."""
    today = anchor.astimezone(_TZ).date()
    sale_start = rng.randint(min(15, days - 6), max(15, days - 20))
    day_weights = []
    for ago in range(days):
        day = today - timedelta(days=ago)
        weight = _WEEKDAY_WEIGHTS[day.weekday()] * (1 + 0.35 * (1 - ago / days))
        if sale_start <= ago < sale_start + 5:
            weight *= 1.8
        if ago == 0:
            weight *= sum(_START_HOUR_WEIGHTS[: anchor.astimezone(_TZ).hour]) / sum(_START_HOUR_WEIGHTS)
        day_weights.append(weight)
    starts = []
    for ago in rng.choices(range(days), weights=day_weights, k=count):
        day = today - timedelta(days=ago)
        hours = range(24) if ago else range(max(1, anchor.astimezone(_TZ).hour))
        hour = rng.choices(list(hours), weights=[_START_HOUR_WEIGHTS[h] for h in hours])[0]
        local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=_TZ)
        moment = local.astimezone(UTC)
        if moment > anchor - timedelta(minutes=2):
            moment = anchor - timedelta(seconds=rng.randint(120, 1800))
        starts.append(moment)
    starts.sort()
    return starts


def _in_hours(moment: datetime) -> bool:
    local = moment.astimezone(_TZ)
    opening, closing = _HOURS[local.weekday()]
    return opening <= local.hour < closing


def _next_opening(moment: datetime) -> datetime:
    local = moment.astimezone(_TZ)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        opening = datetime(day.year, day.month, day.day, _HOURS[day.weekday()][0], tzinfo=_TZ)
        if opening > local:
            return opening.astimezone(UTC)
    raise AssertionError("no opening hour within a week")


def _ru_date(day: date) -> str:
    return f"{day.day} {_RU_MONTHS[day.month - 1]}"


def _en_date(day: date) -> str:
    return f"{_EN_MONTHS[day.month - 1]} {day.day}"


def render(template: str, values: Mapping[str, str], gender: str) -> str:
    """Fill a template: `[masculine|feminine]` by the speaker's gender, then the `{fields}`."""
    text = _GENDER_RE.sub(lambda m: m.group(1) if gender == "m" else m.group(2), template)
    return text.format_map(values)


def _fillers(
    rng: random.Random, scenario: Scenario, start: datetime, history_start: datetime
) -> dict[str, dict[str, str]]:
    """The facts of one conversation (order, product, dates…) in both languages."""
    local = start.astimezone(_TZ).date()
    sized = [p for p in people.PRODUCTS if p.sizes]
    product = rng.choice(sized if scenario.sized else people.PRODUCTS)
    product2 = rng.choice([p for p in people.PRODUCTS if p is not product])
    sizes = product.sizes or people.CLOTHES_SIZES
    size_at = rng.randrange(len(sizes) - 1)
    ordered = local - timedelta(days=rng.randint(4, 12))
    ordered_at = datetime(ordered.year, ordered.month, ordered.day, tzinfo=_TZ)
    order = 3_870_000 + max(0, int((ordered_at - history_start).total_seconds() // 400)) + rng.randint(0, 200)
    expected, new = local - timedelta(days=rng.randint(1, 3)), local + timedelta(days=rng.randint(2, 4))
    amount = product.price
    carrier, hub = rng.choice(people.CARRIERS), rng.choice(people.HUBS)
    pickup, slot = rng.choice(people.PICKUP_POINTS), rng.choice(people.SLOTS)
    common = {
        "order": str(order),
        "points": str(rng.choice((200, 300, 300, 500, 500, 700, 1000))),
        "promo": rng.choice(people.PROMO_CODES),
        "track": f"{rng.randint(10**9, 10**10 - 1)}",
        "card": f"{rng.randint(1000, 9999)}",
        "size": sizes[size_at],
        "size2": sizes[size_at + 1],
        "days_refund": "5–10",
    }
    ru = {
        **common,
        "product": product.ru,
        "product2": product2.ru,
        "defect": product.defect_ru,
        "amount": f"{amount:,}".replace(",", " ") + " ₽",
        "carrier": carrier[0],
        "hub_in": hub[0],
        "pickup": pickup[0],
        "slot": slot[0],
        "date_order": _ru_date(ordered),
        "date_expected": _ru_date(expected),
        "date_new": _ru_date(new),
    }
    en = {
        **common,
        "product": product.en,
        "product2": product2.en,
        "defect": product.defect_en,
        "amount": f"{amount:,} ₽",
        "carrier": carrier[1],
        "hub_in": hub[1],
        "pickup": pickup[1],
        "slot": slot[1],
        "date_order": _en_date(ordered),
        "date_expected": _en_date(expected),
        "date_new": _en_date(new),
    }
    return {"ru": ru, "en": en}


# --- conversations ----------------------------------------------------------------------------------


def _fate(rng: random.Random, age: timedelta) -> str:
    """How far a conversation got by the anchor: recent ones are often still in the queue."""
    days = age.total_seconds() / 86400
    table: Sequence[tuple[str, float]]
    if days < 1:
        table = (("resolved", 0.2), ("open", 0.25), ("unanswered", 0.3), ("pending", 0.15), ("snoozed", 0.1))
    elif days < 3:
        table = (("resolved", 0.45), ("open", 0.2), ("unanswered", 0.08), ("pending", 0.17), ("snoozed", 0.1))
    elif days < 10:
        table = (("resolved", 0.82), ("pending", 0.08), ("open", 0.06), ("snoozed", 0.04))
    else:
        table = (("resolved", 0.985), ("pending", 0.01), ("open", 0.005))
    return _weighted(rng, table)


def _operators(department: str) -> list[StaffMember]:
    return [m for m in OPERATORS if department in m.departments]


def _first_name(member: StaffMember, language: str) -> str:
    return member.name.split()[0] if language == "ru" else member.name_en


GENERIC_ASK = {
    "ru": (
        "Чтобы я [мог|могла] помочь, подскажите, пожалуйста, номер заказа и телефон, на который он оформлен.",
        "Заказ {order}, телефон тот же, что в профиле.",
    ),
    "en": ("To help you, could you tell me the order number and the phone number it was placed with?",
           "Order {order}, same phone as in my profile."),
}  # fmt: skip
GENERIC_HOLD = {
    "ru": "Уточню детали у коллег и вернусь к вам с ответом.",
    "en": "Let me check the details with my colleagues and get back to you.",
}


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        anchor: datetime,
        history_start: datetime,
        customers: list[CustomerPlan],
        conversations: int,
    ) -> None:
        self.rng = rng
        self.anchor = anchor
        self.history_start = history_start
        self.customers = customers
        self.busy_until: dict[tuple[int, str], datetime] = {}
        self.conversation_count: dict[int, int] = {}
        self.sequence = self._customer_sequence(len(customers), conversations)
        self.scenarios = {key: [s for s in texts.SCENARIOS if s.topic == key] for key in texts.TOPIC_WEIGHTS["site"]}

    def _customer_sequence(self, customers: int, conversations: int) -> list[int]:
        """Every customer who writes appears once; repeat contacts go mostly to a loyal few."""
        active = min(customers, conversations)
        weights = [self.rng.paretovariate(1.2) for _ in range(active)]
        extra = self.rng.choices(range(active), weights=weights, k=conversations - active)
        sequence = list(range(active)) + extra
        self.rng.shuffle(sequence)
        return sequence

    # A customer has at most one unresolved conversation per inbox, and a message within the reopen
    # window of a resolution reopens it; so a new conversation on the same inbox starts only once
    # the previous one is resolved and the window is over.
    def _inbox_for(self, customer: CustomerPlan, start: datetime, *, anywhere: bool = False) -> str | None:
        seen = self.conversation_count.get(customer.index, 0)
        options = [customer.primary_inbox]
        if anywhere:
            options += [i.key for i in INBOXES if i.key != customer.primary_inbox]
        elif customer.secondary_inbox is not None:
            if seen == 1 or (seen > 1 and self.rng.random() < 0.45):
                options.insert(0, customer.secondary_inbox)
            else:
                options.append(customer.secondary_inbox)
        for inbox in options:
            if self.busy_until.get((customer.index, inbox), self.history_start) < start:
                return inbox
        return None

    def _pick(self, index: int, start: datetime) -> tuple[CustomerPlan, str]:
        for k in range(index, len(self.sequence)):
            customer = self.customers[self.sequence[k]]
            inbox = self._inbox_for(customer, start)
            if inbox is not None:
                self.sequence[index], self.sequence[k] = self.sequence[k], self.sequence[index]
                return customer, inbox
        for customer in self.customers:  # everyone planned is busy: anyone free, on any inbox, will do
            inbox = self._inbox_for(customer, start, anywhere=True)
            if inbox is not None:
                return customer, inbox
        raise DomainError("Could not place every demo conversation; ask for more customers.", code="bad_demo_spec")

    def _scenario(self, inbox: str) -> Scenario:
        topics = [(topic, weight) for topic, weight in texts.TOPIC_WEIGHTS[inbox].items() if weight > 0]
        return self.rng.choice(self.scenarios[_weighted(self.rng, topics)])

    def plan(self, index: int, start: datetime) -> ConversationPlan:
        customer, inbox = self._pick(index, start)
        first_contact = not self.conversation_count.get(customer.index)
        self.conversation_count[customer.index] = self.conversation_count.get(customer.index, 0) + 1
        scenario = self._scenario(inbox)
        fate = _fate(self.rng, self.anchor - start)
        builder = _ConversationBuilder(self, index, customer, inbox, scenario, start, fate, first_contact)
        conversation = builder.build()
        conversation.steps = [s for s in conversation.steps if s.at < self.anchor]
        conversation.status, resolved_at, conversation.reopened = _replay(conversation.steps)
        self.busy_until[(customer.index, inbox)] = (
            resolved_at + timedelta(hours=REOPEN_WINDOW_HOURS + 1)
            if conversation.status == Status.RESOLVED and resolved_at
            else _FAR_FUTURE
        )
        return conversation


def _replay(steps: list[Step]) -> tuple[str, datetime | None, bool]:
    """The status the domain will arrive at, checking the plan keeps to its routing rules."""
    status, resolved_at, reopened = "", None, False
    for step in steps:
        if step.kind == "message":
            if status == Status.RESOLVED:
                if resolved_at is None or step.at - resolved_at > timedelta(hours=REOPEN_WINDOW_HOURS):
                    raise RuntimeError("a demo follow-up would open a new conversation instead of reopening")
                reopened = True
            status = Status.OPEN
        elif step.kind == "status":
            assert step.target is not None
            status = step.target
            resolved_at = step.at if status == Status.RESOLVED else resolved_at
        elif step.kind == "wake":
            status = Status.OPEN
    return status, resolved_at, reopened


class _ConversationBuilder:
    """Writes one conversation's script; `self.t` is the moment of the latest step."""

    def __init__(
        self,
        planner: _Planner,
        index: int,
        customer: CustomerPlan,
        inbox: str,
        scenario: Scenario,
        start: datetime,
        fate: str,
        first_contact: bool,
    ) -> None:
        self.p = planner
        self.rng = planner.rng
        self.index = index
        self.customer = customer
        self.inbox = next(i for i in INBOXES if i.key == inbox)
        self.scenario = scenario
        self.lang = customer.language
        self.lines = scenario.lines(self.lang)
        self.start = start
        self.fate = fate
        self.first_contact = first_contact
        self.steps: list[Step] = []
        self.t = start
        self.inbound = 0
        fill = _fillers(self.rng, scenario, start, planner.history_start)
        for values in fill.values():
            values["name"] = customer.first_name
            values["full_name"] = customer.name
        self.values, self.ru_values = fill[self.lang], fill["ru"]
        self.department = self.inbox.department
        self.operator = self._pick_operator(self.department)

    # --- time -------------------------------------------------------------------------------

    def _after(self, moment: datetime) -> datetime:
        return max(moment.replace(microsecond=0), self.t + timedelta(seconds=1))

    def _customer_time(self, median_minutes: float = 12.0, sigma: float = 1.1) -> datetime:
        rng = self.rng
        moment = self.t + timedelta(minutes=rng.lognormvariate(math.log(median_minutes), sigma))
        if rng.random() < 0.12:
            moment += timedelta(hours=rng.uniform(10, 26))
        local = moment.astimezone(_TZ)
        if 1 <= local.hour < 7 and rng.random() < 0.85:
            morning = local.replace(hour=7, minute=30) + timedelta(minutes=rng.randint(0, 150))
            moment = morning.astimezone(UTC)
        return self._after(moment)

    def _operator_time(self, median_minutes: float = 9.0) -> datetime:
        rng = self.rng
        if _in_hours(self.t):
            delay = rng.lognormvariate(math.log(median_minutes), 0.9)
            if rng.random() < 0.1:
                delay += rng.uniform(30, 150)  # a busy hour
            moment = self.t + timedelta(minutes=delay)
            if _in_hours(moment):
                return self._after(moment)
            opening = _next_opening(moment)
        else:
            opening = _next_opening(self.t)
        return self._after(opening + timedelta(minutes=rng.lognormvariate(math.log(25), 0.7)))

    def _soon(self, low: int = 15, high: int = 120) -> datetime:
        return self._after(self.t + timedelta(seconds=self.rng.randint(low, high)))

    # --- steps ------------------------------------------------------------------------------

    def _add(self, step: Step) -> None:
        assert step.at > self.t or not self.steps, "steps must move forward in time"
        self.steps.append(step)
        self.t = step.at

    def _pick_operator(self, department: str, *, other_than: str | None = None) -> StaffMember:
        pool = [m for m in _operators(department) if m.handle != other_than]
        return self.rng.choices(pool, weights=[m.weight for m in pool])[0]

    def _speaker_values(self, at: datetime, operator: StaffMember | None = None) -> dict[str, str]:
        member = operator or self.operator
        evening = at.astimezone(_TZ).hour >= 17
        daypart = ("вечера" if evening else "дня") if self.lang == "ru" else ("evening" if evening else "day")
        return {**self.values, "op": _first_name(member, self.lang), "daypart": daypart}

    def _customer_says(self, at: datetime, template: str) -> None:
        at = self._after(at)
        self.inbound += 1
        text = render(template, self._speaker_values(at), self.customer.gender)
        external_id = f"{self.inbox.id_prefix}-{self.index + 1:06d}-{self.inbound}"
        self._add(Step(at, "message", text, external_id=external_id))

    def _operator_says(self, at: datetime, template: str, *, greet: bool = False, intro: bool = False) -> None:
        at = self._after(at)
        values = self._speaker_values(at)
        body = render(template, values, self.operator.gender)
        if greet:
            hour = at.astimezone(_TZ).hour
            greetings = list(texts.OPERATOR_GREETINGS[self.lang])
            if hour < 11:
                greetings += texts.OPERATOR_GREETINGS_MORNING[self.lang]
            if hour >= 18:
                greetings += texts.OPERATOR_GREETINGS_EVENING[self.lang]
            greeting = render(self.rng.choice(greetings), values, self.operator.gender)
            if intro:
                greeting += " " + render(self.rng.choice(texts.OPERATOR_INTRO[self.lang]), values, self.operator.gender)
            if self.inbox.subjects:
                signature = render(texts.EMAIL_SIGNATURE[self.lang], values, self.operator.gender)
                body = f"{greeting}\n\n{body}\n\n{signature}"
            else:
                body = f"{greeting} {body}"
        self._add(Step(at, "reply", body, user=self.operator.handle))

    def _note(self, at: datetime, template: str, author: StaffMember, **mentions: str) -> None:
        values = {
            **self.ru_values,
            "sup": SUPERVISOR.handle,
            "colleague": self._pick_operator(self.department, other_than=author.handle).handle
            if len(_operators(self.department)) > 1
            else SUPERVISOR.handle,
            "op_handle": self.operator.handle,
            **mentions,
        }
        self._add(Step(at, "note", render(template, values, author.gender), user=author.handle))

    def _status(self, at: datetime, status: str, *, until: datetime | None = None, user: str | None = None) -> None:
        self._add(Step(at, "status", user=user or self.operator.handle, target=status, until=until))

    # --- the script -------------------------------------------------------------------------

    def build(self) -> ConversationPlan:
        rng, lines = self.rng, self.lines
        subject = ""
        if self.inbox.subjects:
            subject = render(rng.choice(lines.subject), self._speaker_values(self.start), self.customer.gender)
        self._opening()
        if self.first_contact:
            changes = self.customer.profile_changes(self.start, rng)
            self._add(Step(self._soon(2, 5), "profile", changes=changes))
        if self.fate == "unanswered":
            self._maybe_nudge(self.p.anchor)
        else:
            self._handle()
        return ConversationPlan(
            index=self.index,
            customer=self.customer.index,
            inbox=self.inbox.key,
            scenario=self.scenario.key,
            language=self.lang,
            subject=subject,
            steps=self.steps,
            status="",
        )

    def _opening(self) -> None:
        rng, lines = self.rng, self.lines
        hour = self.start.astimezone(_TZ).hour
        greetings = list(texts.CUSTOMER_GREETINGS[self.lang])
        if hour >= 18:
            greetings += texts.CUSTOMER_GREETINGS_EVENING[self.lang]
        template = rng.choice(lines.open)
        text = rng.choice(greetings) + template
        if self.inbox.key == "site" and rng.random() < 0.3:
            text += "\n\n{full_name}"
        self._customer_says(self.start, text)
        if "{order}" not in template and "{order}" in "".join(lines.answer) and rng.random() < 0.3:
            self._customer_says(self._soon(20, 150), rng.choice(texts.ORDER_NUMBER_ADDENDUM[self.lang]))

    def _maybe_nudge(self, reply_at: datetime) -> None:
        waited = reply_at - self.t
        if waited > timedelta(minutes=50) and self.rng.random() < 0.35:
            moment = self.t + waited * self.rng.uniform(0.3, 0.7)
            local = moment.astimezone(_TZ)
            if not 1 <= local.hour < 7:
                self._customer_says(self._after(moment), self.rng.choice(texts.NUDGES[self.lang]))

    def _handle(self) -> None:
        rng, sc, lines = self.rng, self.scenario, self.lines
        reply_at = self._operator_time()
        self._maybe_nudge(reply_at)
        reply_at = max(reply_at, self.t + timedelta(seconds=30))
        if rng.random() < 0.2:  # the supervisor triages the queue
            self._add(Step(self._after(reply_at - timedelta(minutes=rng.randint(1, 8))), "assign",
                           user=SUPERVISOR.handle, target=self.operator.handle))  # fmt: skip
        vip = "vip" in self.customer.tags
        if sc.urgent or sc.important or (vip and rng.random() < 0.5):
            by = SUPERVISOR.handle if vip and rng.random() < 0.5 else self.operator.handle
            self._add(Step(self._after(reply_at - timedelta(seconds=40)), "priority", user=by,
                           urgent=sc.urgent, important=sc.important or vip))  # fmt: skip
        greeted = False
        if sc.department != self.department and rng.random() < _TRANSFER_SHARE[sc.department]:
            self._transfer(reply_at)
            reply_at = self._operator_time(median_minutes=14)
            greeted = True
        if vip and rng.random() < 0.3:
            self._note(self._after(reply_at - timedelta(seconds=20)), rng.choice(texts.VIP_NOTES), self.operator)
        fate = self.fate
        if fate in ("pending", "snoozed") and sc.topic == "thanks":
            fate = "open"
        path = "plain"
        if fate == "pending":
            path = "ask"
        elif fate == "snoozed":
            path = "check"
        elif lines.ask and rng.random() < 0.22:
            path = "ask"
        elif lines.check and rng.random() < 0.15:
            path = "check"
        intro = greeted or rng.random() < 0.25
        answer = rng.choice(lines.answer)
        if path == "ask":
            question, info, answer = rng.choice(lines.ask) if lines.ask else (*GENERIC_ASK[self.lang], answer)
            self._operator_says(reply_at, question, greet=True, intro=intro)
            self._status(self._soon(10, 60), Status.PENDING)
            if fate == "pending":
                return
            self._customer_says(self._customer_time(median_minutes=40), info)
            self._operator_says(self._operator_time(), answer)
        elif path == "check":
            hold, result = rng.choice(lines.check) if lines.check else (GENERIC_HOLD[self.lang], answer)
            self._operator_says(reply_at, hold, greet=True, intro=intro)
            until = self._snooze_until(fate == "snoozed")
            self._status(self._soon(10, 60), Status.SNOOZED, until=until)
            if fate == "snoozed":
                return
            self._add(Step(self._after(until), "wake", until=until))
            self._operator_says(self._after(until + timedelta(minutes=rng.randint(2, 40))), result)
        else:
            self._operator_says(reply_at, answer, greet=True, intro=intro)
        self._after_answer(fate)

    def _transfer(self, reply_at: datetime) -> None:
        rng = self.rng
        target = next(d for d in DEPARTMENTS if d.key == self.scenario.department)
        values = {"dept_gen": target.name_gen, "dept": target.name_en}
        handoff = rng.choice(texts.HANDOFF[self.lang])
        self.values.update(values)
        self._operator_says(reply_at, handoff, greet=True)
        successor = self._pick_operator(target.key)
        note_values = {**self.ru_values, "to": successor.handle, "dept_acc": f"«{target.name}»"}
        note = render(rng.choice(texts.TRANSFER_NOTES), note_values, self.operator.gender)
        self._add(Step(self._soon(10, 50), "transfer", note, user=self.operator.handle, target=target.key))
        self.department, self.operator = target.key, successor

    def _snooze_until(self, stays: bool) -> datetime:
        rng = self.rng
        if stays:  # still snoozed at the anchor
            moment = max(self.p.anchor, self.t) + timedelta(hours=rng.uniform(3, 60))
        else:
            moment = self.t + timedelta(hours=rng.uniform(1.5, 4))
        if not _in_hours(moment):
            moment = _next_opening(moment) + timedelta(minutes=rng.choice((30, 60, 90, 120)))
        return self._after(moment.replace(second=0))

    def _after_answer(self, fate: str) -> None:
        rng, sc, lines = self.rng, self.scenario, self.lines
        if sc.consents:
            self._add(Step(self._soon(10, 60), "consent", user=self.operator.handle, changes=dict(sc.consents)))
        if rng.random() < (0.45 if sc.notes else 0.1):
            template = rng.choice(sc.notes or texts.GENERIC_NOTES)
            self._note(self._soon(30, 600), template, self.operator)
            if "{sup}" in template and rng.random() < 0.6:
                supervisor_at = self._after(self.t + timedelta(minutes=rng.randint(5, 90)))
                self._note(supervisor_at, rng.choice(texts.SUPERVISOR_NOTE_REPLIES), SUPERVISOR)
        if sc.tag and rng.random() < 0.7:
            self._add(Step(self._soon(5, 60), "tag", user=self.operator.handle, target=sc.tag))
        if fate == "open":
            if lines.follow and rng.random() < 0.5:
                self._customer_says(self._customer_time(), rng.choice(lines.follow)[0])
            return
        if lines.follow and rng.random() < 0.4:
            question, answer = rng.choice(lines.follow)
            self._customer_says(self._customer_time(), question)
            self._operator_says(self._operator_time(), answer)
        resolved_at = self._close()
        if lines.reopen and rng.random() < 0.1:
            complaint, answer = rng.choice(lines.reopen)
            self.t = resolved_at
            back = self._after(resolved_at + timedelta(hours=rng.uniform(3, 46)))
            if 1 <= back.astimezone(_TZ).hour < 7:
                back = self._after(back + timedelta(hours=7))
            self._customer_says(min(back, resolved_at + timedelta(hours=REOPEN_WINDOW_HOURS - 1)), complaint)
            self._operator_says(self._operator_time(), answer)
            self._close()

    def _close(self) -> datetime:
        rng = self.rng
        if not self.scenario.thanks_closing:
            self._status(self._soon(30, 240), Status.RESOLVED)
        elif rng.random() < 0.68:
            thanks = rng.choice(texts.CUSTOMER_THANKS[self.lang])
            self._customer_says(self._customer_time(median_minutes=3, sigma=0.8), thanks)
            if rng.random() < 0.55:
                signoff = rng.choice(texts.OPERATOR_SIGNOFFS[self.lang])
                self._operator_says(self._operator_time(median_minutes=3), signoff)
            self._status(self._soon(10, 240), Status.RESOLVED)
        else:  # the customer went quiet; the operator closes it later
            self.t = self._after(self.t + timedelta(minutes=rng.uniform(30, 600)))
            self._status(self._operator_time(), Status.RESOLVED)
        return self.t


# --- loading ----------------------------------------------------------------------------------------


@dataclass
class _Ids:
    users: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    inboxes: dict[str, int] = field(default_factory=dict)
    customers: dict[int, int] = field(default_factory=dict)
    conversations: dict[int, int] = field(default_factory=dict)
    # Strong references to the rows the replay reuses: the session's identity map holds them only
    # weakly, and a row dropped from it costs a SELECT (and its selectin relationships) again.
    rows: dict[tuple[type[Any], int], Any] = field(default_factory=dict)

    def row(self, session: Session, model: type[_M], row_id: int) -> _M:
        key = (model, row_id)
        found = self.rows.get(key)
        if found is None:
            found = self.rows[key] = session.get(model, row_id)
            if found is None:
                raise RuntimeError(f"demo {model.__name__} {row_id} is gone")
        assert isinstance(found, model)
        return found


def load_demo(database: Database, spec: DemoSpec, console: Console | None = None) -> str:
    """Load the demo shop into an empty database; on one that has it already, just say so."""
    with database.transaction() as session:
        state = _database_state(session)
    if state == "loaded":
        with database.transaction() as session:
            return "Demo data is already loaded: " + _summary(session)
    if state != "empty":
        raise DomainError(
            "The database already holds data ({state}); demo data is loaded only into an empty database."
            " Point ZABOTA_DATA_DIR or DATABASE_URL at a fresh one.",
            state=state,
            code="database_not_empty",
        )
    started = time.perf_counter()
    plan = plan_demo(spec)
    ids = _Ids()
    with database.transaction() as session, clock_at(plan.setup_at):
        _set_up(session, ids)
    _play(database, plan, ids, console)
    with database.transaction() as session:
        with clock_at(plan.anchor):
            update_organization(session, Actor.user(ids.users[people.ADMIN.handle]), name=DEMO_ORG_NAME)
            session.flush()
        seconds = time.perf_counter() - started
        return f"Demo data loaded in {seconds:.1f} s: " + _summary(session)


def _database_state(session: Session) -> str:
    admin = session.scalar(select(User.id).where(func.lower(User.email) == DEMO_ADMIN_EMAIL))
    if admin is not None:
        return "loaded"
    counts = {
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
        "customers": session.scalar(select(func.count()).select_from(Customer)) or 0,
        "conversations": session.scalar(select(func.count()).select_from(Conversation)) or 0,
        "inboxes": session.scalar(select(func.count()).select_from(Inbox)) or 0,
        "departments": session.scalar(select(func.count()).select_from(Department)) or 0,
    }
    busy = [f"{n} {what}" for what, n in counts.items() if n]
    return ", ".join(busy) if busy else "empty"


# Sites that may embed the demo widget: the server itself, as `make demo` runs it.
DEMO_WIDGET_ORIGINS = ["http://127.0.0.1:8000", "http://localhost:8000"]


def _set_up(session: Session, ids: _Ids) -> None:
    system = Actor.system()
    admin = create_user(
        session, system, email=people.ADMIN.email, name=people.ADMIN.name, role=people.ADMIN.role,
        password=DEMO_ADMIN_PASSWORD, handle=people.ADMIN.handle,
    )  # fmt: skip
    ids.users[people.ADMIN.handle] = admin.id
    by_admin = Actor.user(admin.id)
    update_organization(
        session,
        by_admin,
        timezone=TIMEZONE,
        business_hours=BUSINESS_HOURS,
        languages=["ru", "en"],
        default_language="ru",
        currency="RUB",
        reopen_window_hours=REOPEN_WINDOW_HOURS,
    )
    departments = {}
    for spec in DEPARTMENTS:
        departments[spec.key] = create_department(session, by_admin, name=spec.name, description=spec.description)
        ids.departments[spec.key] = departments[spec.key].id
    for member in STAFF:
        if member is people.ADMIN:
            continue
        user = create_user(
            session, by_admin, email=member.email, name=member.name, role=member.role, password=DEMO_PASSWORD,
            handle=member.handle, capacity=member.capacity,
        )  # fmt: skip
        ids.users[member.handle] = user.id
        for key in member.departments:
            add_member(session, by_admin, departments[key], user)
    for inbox in INBOXES:
        department = ids.departments[inbox.department]
        created = create_inbox(session, by_admin, channel_type="api", name=inbox.name, default_department_id=department)
        ids.inboxes[inbox.key] = created.inbox.id
    load_help_center(session, by_admin, author=admin)
    # The chat widget on the shop's site, with the first-line bot in front (see /widget/demo).
    widget = create_inbox(
        session,
        by_admin,
        channel_type="widget",
        name="Чат на сайте",
        default_department_id=ids.departments["support"],
        settings={"allowed_origins": DEMO_WIDGET_ORIGINS, "bot": {"enabled": True}},
    )
    ids.inboxes["widget"] = widget.inbox.id
    session.flush()


def _timeline(plan: DemoPlan) -> list[tuple[datetime, int, int, int]]:
    """Every step of every conversation (and every CRM-only customer) in the order it happened."""
    items = [(c.created_at, 0, c.index, 0) for c in plan.customers if not c.writes and c.created_at]
    for conversation in plan.conversations:
        items.extend((step.at, 1, conversation.index, n) for n, step in enumerate(conversation.steps))
    items.sort()
    return items


def _play(database: Database, plan: DemoPlan, ids: _Ids, console: Console | None) -> None:
    timeline = _timeline(plan)
    last_step = {c.index: len(c.steps) - 1 for c in plan.conversations}
    progress = None
    if console is not None:
        columns = (TextColumn("[bold]Demo conversations"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        progress = Progress(*columns, console=console)
    with progress or contextlib.nullcontext(), database.sessions() as session:
        task = progress.add_task("conversations", total=len(plan.conversations)) if progress else None
        for batch in _batches(timeline, BATCH_STEPS):
            done = 0
            with session.begin():  # one transaction per batch; the session (and its rows) lives on
                for at, group, index, n in batch:
                    with clock_at(at):
                        if group == 0:
                            _create_crm_customer(session, plan.customers[index])
                        else:
                            _apply(session, plan, ids, plan.conversations[index], plan.conversations[index].steps[n])
                            done += n == last_step[index]
                        session.flush()  # timestamps that default to "now" are taken at flush
            if progress is not None and task is not None:
                progress.advance(task, done)


def _batches(items: list[tuple[datetime, int, int, int]], size: int) -> Iterator[list[tuple[datetime, int, int, int]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create_crm_customer(session: Session, customer: CustomerPlan) -> None:
    changes = customer.crm_profile or {}
    create_customer(
        session,
        Actor.system(),
        CustomerProfile(
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            language=customer.language,
            birthday=customer.birthday,
            attributes=changes.get("attributes", {}),
            consents=changes.get("consents", {}),
            tags=changes.get("tags", []),
        ),
    )


def _apply(session: Session, plan: DemoPlan, ids: _Ids, conversation: ConversationPlan, step: Step) -> None:
    customer = plan.customers[conversation.customer]
    if step.kind == "message":
        _ingest(session, ids, conversation, customer, step)
        return
    if step.kind in ("profile", "consent", "tag"):
        person = ids.row(session, Customer, ids.customers[customer.index])
        if step.kind == "profile":
            update_customer(session, Actor.system(), person, step.changes or {})
        elif step.kind == "consent":
            update_customer(session, _actor(ids, step), person, {"consents": step.changes})
        else:
            current = [tag.name for tag in person.tags]
            if step.target not in current:
                update_customer(session, _actor(ids, step), person, {"tags": [*current, step.target]})
        return
    row = ids.row(session, Conversation, ids.conversations[conversation.index])
    user = ids.row(session, User, ids.users[step.user]) if step.user else None
    if step.kind == "reply":
        reply(session, row, author=user, text=step.text, delivered_at=step.at)
    elif step.kind == "note":
        assert user is not None
        add_note(session, row, author=user, text=step.text)
    elif step.kind == "assign":
        assert step.target is not None
        assign(session, _actor(ids, step), row, ids.row(session, User, ids.users[step.target]))
    elif step.kind == "transfer":
        assert step.target is not None
        department = ids.row(session, Department, ids.departments[step.target])
        transfer(session, _actor(ids, step), row, department, note=step.text, author=user)
    elif step.kind == "status":
        assert step.target is not None
        set_status(session, _actor(ids, step), row, step.target, snoozed_until=step.until)
    elif step.kind == "wake":
        assert step.until is not None
        if not wake_if_due(session, row, step.until):
            raise RuntimeError(f"demo conversation {conversation.index} did not wake at {step.until}")
    elif step.kind == "priority":
        set_priority(session, _actor(ids, step), row, urgent=step.urgent, important=step.important)
    else:
        raise ValueError(f"unknown demo step {step.kind!r}")


def _actor(ids: _Ids, step: Step) -> Actor:
    return Actor.user(ids.users[step.user]) if step.user else Actor.system()


def _ingest(session: Session, ids: _Ids, conversation: ConversationPlan, customer: CustomerPlan, step: Step) -> None:
    inbox = ids.row(session, Inbox, ids.inboxes[conversation.inbox])
    first = conversation.index not in ids.conversations
    attributes: dict[str, Any] = {}
    if conversation.inbox == "app":
        attributes = {"platform": customer.platform, "app_version": "5.13.0"}
    result = ingest_inbound_message(
        session,
        inbox,
        InboundMessage(
            identity_channel=f"{inbox.channel_type}:{inbox.id}",
            identity_id=customer.identities[conversation.inbox],
            text=step.text,
            external_id=step.external_id,
            subject=conversation.subject if first else "",
            sent_at=step.at,
            profile=CustomerProfile(
                name=customer.name,
                email=customer.email,
                phone=customer.phone,
                language=customer.language,
                attributes=attributes,
            ),
        ),
    )
    # The plan relies on the inbox's routing rules; say so loudly if the domain routed otherwise.
    known_customer = ids.customers.setdefault(customer.index, result.conversation.customer_id)
    if known_customer != result.conversation.customer_id:
        raise RuntimeError(f"demo customer {customer.index} became two customers ({customer.email})")
    known = ids.conversations.setdefault(conversation.index, result.conversation.id)
    if known != result.conversation.id or (first and not result.created):
        raise RuntimeError(f"demo conversation {conversation.index} was not routed as planned")
    ids.rows[(Conversation, known)] = result.conversation
    ids.row(session, Customer, known_customer)


def _summary(session: Session) -> str:
    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    by_status = select(Conversation.status, func.count()).group_by(Conversation.status)
    statuses: dict[str, int] = {row[0]: row[1] for row in session.execute(by_status)}
    waiting = count(Conversation, Conversation.status == Status.OPEN, Conversation.first_human_reply_at.is_(None))
    org_name = session.scalar(select(Organization.name).order_by(Organization.id).limit(1))
    staff = count(User)
    lines = [
        f"{staff} staff in {count(Department)} departments, {count(Inbox)} inboxes, "
        f"{count(Customer, Customer.merged_into_id.is_(None))} customers, {count(Conversation)} conversations "
        f"with {count(Message)} messages, {count(Note)} notes and {count(Mention)} @mentions.",
        f"The queue now: {statuses.get('open', 0)} open ({waiting} never answered yet), "
        f"{statuses.get('pending', 0)} pending, {statuses.get('snoozed', 0)} snoozed; "
        f"{statuses.get('resolved', 0)} resolved.",
        f"Log in as {DEMO_ADMIN_EMAIL} with the password {DEMO_ADMIN_PASSWORD}; every colleague "
        f"({SUPERVISOR.email}, {OPERATORS[0].email}, …) has the same password.",
    ]
    if org_name != DEMO_ORG_NAME:
        lines.append("The earlier demo load did not finish; for the complete data start from an empty database.")
    return "\n".join(lines)
