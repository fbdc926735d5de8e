"""Personalising canned replies: placeholders filled in a sandbox, tidy when a value is missing.

A body is a small Jinja2 template evaluated in `jinja2.sandbox.SandboxedEnvironment`. It may use
these placeholders (`PLACEHOLDERS`), conditions (`{% if customer.first_name %}…{% endif %}`),
`or`/`~` and a few text filters (`default`, `upper`, `lower`, `capitalize`, `title`, `trim`,
`replace`, `truncate`); nothing else: no loops, calls, includes, arithmetic or unknown names,
so a template cannot run long, read anything else or fail in a surprising way.
`validate_template` checks that on save (a `DomainError` tells the author what is wrong);
`render_template` never raises: a template that somehow fails renders with its placeholders
dropped.

    {{customer.first_name}}  first name: the first word of the name, or the second one for a
                             Russian "Фамилия Имя Отчество"; empty for an email or phone
    {{customer.name}}        the full name
    {{operator.first_name}}  {{operator.name}}  the operator who sends the reply
    {{order.last}}           the customer's last order (attribute "last_order", else the last
                             of "orders"; a number, or an object's number / id / name)
    {{conversation.id}}

A missing value is not left as a hole: "Здравствуйте, {{customer.first_name}}!" becomes
"Здравствуйте!" and "{{customer.first_name}}, ваш заказ…" becomes "Ваш заказ…" (the comma and
spaces that belonged to it go too, and a sentence keeps its capital letter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from zabota.errors import DomainError

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "customer": ("first_name", "name"),
    "operator": ("first_name", "name"),
    "order": ("last",),
    "conversation": ("id",),
}
ALLOWED_FILTERS = frozenset({"default", "d", "upper", "lower", "capitalize", "title", "trim", "replace", "truncate"})
FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.For: "a loop",
    nodes.Macro: "a macro",
    nodes.CallBlock: "a call block",
    nodes.Call: "a function call",
    nodes.FilterBlock: "a filter block",
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Block: "a block",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.With: "with",
    nodes.Getitem: "[…] access",
    nodes.Slice: "[…] access",
    nodes.Pow: "arithmetic",
    nodes.Mul: "arithmetic",
    nodes.Div: "arithmetic",
    nodes.FloorDiv: "arithmetic",
    nodes.Mod: "arithmetic",
}
MAX_BODY_LENGTH = 10_000
MAX_OUTPUT_LENGTH = 20_000

_HOLE = "\x00"  # how an empty value renders until `tidy` removes it with its punctuation
_PATRONYMIC = re.compile(r"(ич|вна|чна|оглы|кызы)$", re.IGNORECASE)


class _Blank(str):
    """An empty value: false in `{% if %}` and for `default(…, true)`, rendered as a hole."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


BLANK = _Blank(_HOLE)


class _Undefined(ChainableUndefined):
    """Anything unknown renders as a hole too (and `customer.x.y` does not fail)."""

    __slots__ = ()

    def __str__(self) -> str:
        return _HOLE


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=_Undefined, autoescape=False, keep_trailing_newline=True)


# --- validation -----------------------------------------------------------------------------


def _placeholder_list() -> str:
    return ", ".join(f"{{{{{root}.{attr}}}}}" for root, attrs in PLACEHOLDERS.items() for attr in attrs)


def validate_template(body: str) -> None:
    """Raise a DomainError saying what is wrong with a reply template, if anything."""
    if len(body) > MAX_BODY_LENGTH:
        raise DomainError("A canned reply may be at most {limit} characters long.", limit=MAX_BODY_LENGTH)
    try:
        tree = environment().parse(body)
    except TemplateSyntaxError as exc:
        raise DomainError(
            "The reply has a template error on line {line}: {error}",
            line=exc.lineno,
            error=exc.message or "",
            code="bad_template",
        ) from None
    _check(tree, parent=None)


def _check(node: nodes.Node, parent: nodes.Node | None) -> None:
    for kind, what in FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            raise DomainError(
                "Canned replies may use placeholders, conditions and simple filters only; {construct} is not allowed.",
                construct=what,
                code="bad_template",
            )
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
        raise DomainError(
            "Canned replies may use placeholders, conditions and simple filters only; {construct} is not allowed.",
            construct=f"|{node.name}",
            code="bad_template",
        )
    if isinstance(node, nodes.Getattr) and not isinstance(node.node, nodes.Name):
        _unknown(_dotted(node))  # only `root.attr`: no `customer.name.__class__` or `.upper`
    if isinstance(node, nodes.Name):
        attr = parent.attr if isinstance(parent, nodes.Getattr) and parent.node is node else None
        if node.name not in PLACEHOLDERS or attr not in PLACEHOLDERS[node.name]:
            _unknown(f"{node.name}.{attr}" if attr else node.name)
    for child in node.iter_child_nodes():
        _check(child, node)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return node.name if isinstance(node, nodes.Name) else "…"


def _unknown(shown: str) -> None:
    raise DomainError(
        "Unknown placeholder {placeholder}; use {names}.",
        placeholder="{{" + shown + "}}",
        names=_placeholder_list(),
        code="bad_placeholder",
    )


# --- values ---------------------------------------------------------------------------------


def first_name(name: str | None) -> str:
    """ "Анна Петрова" → "Анна"; "Петрова Анна Сергеевна" → "Анна"; an email or phone → ""."""
    words = (name or "").split()
    if not words:
        return ""
    if len(words) == 3 and _PATRONYMIC.search(words[2]) and not _PATRONYMIC.search(words[1]):
        word = words[1]
    else:
        word = words[0]
    word = word.strip(",;")
    if "@" in word or any(ch.isdigit() for ch in word) or not any(ch.isalpha() for ch in word):
        return ""
    return word[:1].upper() + word[1:] if word.islower() else word


def last_order(attributes: dict[str, Any] | None) -> str:
    """The customer's last order as text, from their attributes; "" when there is none."""
    attributes = attributes or {}
    value = attributes.get("last_order")
    if value in (None, "") and isinstance(attributes.get("orders"), list) and attributes["orders"]:
        value = attributes["orders"][-1]
    if isinstance(value, dict):
        value = value.get("number") or value.get("id") or value.get("name")
    if value is None or isinstance(value, bool | list | dict):
        return ""
    return str(value).strip()


@dataclass(frozen=True)
class ReplyContext:
    customer_name: str = ""
    customer_attributes: dict[str, Any] | None = None
    operator_name: str = ""
    conversation_id: int | None = None

    def variables(self) -> dict[str, dict[str, str]]:
        def value(text: str) -> str:
            return text if text else BLANK

        return {
            "customer": {
                "name": value(self.customer_name.strip()),
                "first_name": value(first_name(self.customer_name)),
            },
            "operator": {
                "name": value(self.operator_name.strip()),
                "first_name": value(first_name(self.operator_name)),
            },
            "order": {"last": value(last_order(self.customer_attributes))},
            "conversation": {"id": value(str(self.conversation_id) if self.conversation_id is not None else "")},
        }


# --- rendering ------------------------------------------------------------------------------


def render_template(body: str, context: ReplyContext) -> str:
    """The personalised text; never raises (a broken template renders without its placeholders)."""
    try:
        validate_template(body)
        text = environment().from_string(body).render(context.variables())
    except Exception:  # the contract is "never crash": fall back to the text around the placeholders
        text = re.sub(r"\{%.*?%\}", "", re.sub(r"\{\{.*?\}\}", _HOLE, body, flags=re.S), flags=re.S)
    return tidy(text)[:MAX_OUTPUT_LENGTH]


def tidy(text: str) -> str:
    """Remove the holes left by empty values together with the punctuation that framed them."""
    if _HOLE not in text:
        return text
    h = re.escape(_HOLE)
    # "Спасибо, ∅, что написали" → "Спасибо, что написали"
    text = re.sub(rf"[ \t]*,[ \t]*{h}[ \t]*,", ",", text)
    # "Здравствуйте, ∅!" → "Здравствуйте!"; "С уважением, ∅" → "С уважением"
    text = re.sub(rf"[ \t]*,[ \t]*{h}(?=[ \t]*(?:[!?.;:)]|$))", "", text, flags=re.M)
    # "∅, ваш заказ" at the start of a line or sentence → "Ваш заказ"
    text = re.sub(
        rf"(^|[.!?][ \t]+)[ \t]*{h}[ \t]*,?[ \t]*(\w)",
        lambda m: m.group(1) + m.group(2).upper(),
        text,
        flags=re.M,
    )
    # "Hi ∅," → "Hi,"
    text = re.sub(rf"[ \t]+{h}(?=[,!?.;:)])", "", text)
    # "заказ ∅ задерживается" → "заказ задерживается"
    text = re.sub(rf"(?<=\S)[ \t]*{h}[ \t]*(?=\S)", lambda m: " " if m.group(0) != _HOLE else "", text)
    return re.sub(rf"[ \t]*{h}[ \t]*", "", text)
