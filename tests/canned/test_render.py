"""Personalised canned replies: placeholders, graceful gaps, and templates that cannot misbehave."""

from __future__ import annotations

import pytest

from zabota.canned.render import ReplyContext, first_name, last_order, render_template, tidy, validate_template
from zabota.errors import DomainError

ANNA = ReplyContext(
    customer_name="Анна Петрова",
    customer_attributes={"last_order": "A-1042"},
    operator_name="Ольга Смирнова",
    conversation_id=17,
)
NOBODY = ReplyContext()


def test_every_placeholder():
    body = (
        "Здравствуйте, {{customer.first_name}}! ({{customer.name}}) Заказ {{order.last}}, диалог {{conversation.id}}. "
        "{{operator.first_name}} / {{ operator.name }}"
    )
    assert render_template(body, ANNA) == (
        "Здравствуйте, Анна! (Анна Петрова) Заказ A-1042, диалог 17. Ольга / Ольга Смирнова"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Здравствуйте, {{customer.first_name}}!", "Здравствуйте!"),
        ("Добрый день, {{customer.first_name}}.", "Добрый день."),
        ("{{customer.first_name}}, ваш заказ задерживается.", "Ваш заказ задерживается."),
        ("Спасибо, {{customer.first_name}}, что написали.", "Спасибо, что написали."),
        ("Hi {{customer.first_name}}, your order is late.", "Hi, your order is late."),
        ("Ваш заказ {{order.last}} задерживается.", "Ваш заказ задерживается."),
        ("Ваш заказ {{order.last}}.", "Ваш заказ."),
        ("Понимаю. {{customer.first_name}}, мы всё исправим.", "Понимаю. Мы всё исправим."),
        ("С уважением,\n{{operator.name}}", "С уважением,\n"),
        ("С уважением, {{operator.first_name}}", "С уважением"),
        ("{% if customer.first_name %}{{customer.first_name}}, з{% else %}З{% endif %}дравствуйте!", "Здравствуйте!"),
        ("Привет, {{ customer.first_name or 'друг' }}!", "Привет, друг!"),
        ("Привет, {{ customer.first_name | default('друг', true) }}!", "Привет, друг!"),
    ],
)
def test_missing_values_leave_no_holes(body, expected):
    assert render_template(body, NOBODY) == expected


def test_conditions_see_present_values():
    body = "{% if customer.first_name %}{{customer.first_name}}, з{% else %}З{% endif %}дравствуйте!"
    assert render_template(body, ANNA) == "Анна, здравствуйте!"
    assert render_template("{{ customer.first_name | upper }}", ANNA) == "АННА"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Анна Петрова", "Анна"),
        ("Петрова Анна Сергеевна", "Анна"),
        ("Анна Сергеевна Петрова", "Анна"),
        ("Иванов Пётр Ильич", "Пётр"),
        ("john smith", "John"),
        ("  ", ""),
        (None, ""),
        ("anna@example.ru", ""),
        ("+7 900 000-00-00", ""),
    ],
)
def test_first_name(name, expected):
    assert first_name(name) == expected


def test_last_order():
    assert last_order({"last_order": 1042}) == "1042"
    assert last_order({"orders": [{"number": "A-1"}, {"number": "A-2"}]}) == "A-2"
    assert last_order({"orders": ["X-1", "X-2"]}) == "X-2"
    assert last_order({"last_order": {"id": 7}}) == "7"
    assert last_order({"orders": []}) == ""
    assert last_order({"last_order": True}) == ""
    assert last_order(None) == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Здравствуйте, {{customer.first_name!", "template error on line 1"),
        ("{% if customer.name %}нет конца", "template error"),
        ("{{customer.surname}}", "Unknown placeholder {{customer.surname}}"),
        ("{{ config }}", "Unknown placeholder {{config}}"),
        ("{{ customer }}", "Unknown placeholder {{customer}}"),
        ("{% for x in customer %}{{x}}{% endfor %}", "a loop is not allowed"),
        ("{{ customer.name.__class__ }}", "Unknown placeholder {{customer.name.__class__}}"),
        ("{{ customer.name.upper }}", "Unknown placeholder"),
        ("{{ 9 ** 9 ** 9 }}", "arithmetic is not allowed"),
        ("{{ 'a' * 1000000000 }}", "arithmetic is not allowed"),
        ("{{ customer.name.upper() }}", "a function call is not allowed"),
        ("{{ customer['name'] }}", "access is not allowed"),
        ("{{ customer.name | attr('x') }}", r"\|attr is not allowed"),
        ("{% include 'x' %}", "include is not allowed"),
        ("{% set x = 1 %}", "set is not allowed"),
        ("x" * 10_001, "at most 10000 characters"),
    ],
)
def test_bad_templates_are_refused_on_save(body, message):
    with pytest.raises(DomainError, match=message):
        validate_template(body)


def test_rendering_never_raises():
    assert render_template("Здравствуйте, {{customer.first_name!", ANNA) == "Здравствуйте, {{customer.first_name!"
    assert render_template("Заказ {{ 9 ** 9 ** 9 }} готов, {{customer.first_name}}!", ANNA) == "Заказ готов!"
    assert render_template("{{ customer.name.__class__.__mro__ }}", ANNA) == ""
    assert render_template("{{ customer.nope.deeper }} ок", ANNA) == "Ок"


def test_tidy_leaves_text_without_holes_alone():
    text = "Ничего , не трогаем !"
    assert tidy(text) == text
