"""Words customers use for the words articles use: the search thesaurus.

The words of a group stand in for each other at query time (after stemming), at a lower weight
than the word itself. Keep it to a shop's everyday vocabulary: it is data a help center editor
maintains, like the synonym lists of any search engine.
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    # Russian
    ("вернуть", "возврат", "возвращать", "сдать"),
    ("деньги", "денежные", "средства"),
    ("доставка", "доставить", "привезти", "привезут", "приехать", "прийти"),
    ("задержка", "опоздание", "опаздывать", "задерживаться", "долго"),
    ("отменить", "отмена", "отказаться"),
    ("получить", "забрать"),
    ("ремонт", "отремонтировать", "починить"),
    ("сломался", "брак", "дефект", "неисправный"),
    ("стоимость", "стоит", "цена"),
    ("баллы", "бонусы"),
    ("списать", "потратить", "использовать"),
    ("промокод", "купон", "скидка"),
    ("сертификат", "подарочная"),
    ("войти", "вход", "авторизация"),
    ("смс", "sms", "код"),
    ("пвз", "пункт", "выдачи"),
    ("поддержка", "оператор", "связаться"),
    ("телефон", "номер"),
    ("поменять", "изменить", "сменить", "обменять"),
    ("посылка", "отправление", "коробка", "упаковка"),
    ("рассрочка", "кредит", "частями"),
    # English
    ("refund", "money", "reimburse"),
    ("return", "send back"),
    ("shipping", "delivery", "deliver", "ship"),
    ("late", "delay", "delayed"),
    ("cancel", "cancellation"),
    ("log", "sign", "login"),
    ("sms", "text", "code"),
    ("points", "bonus", "bonuses"),
    ("promo", "coupon", "discount", "voucher"),
    ("parcel", "package", "packaging", "box"),
    ("instalments", "installments", "credit"),
    ("broken", "faulty", "defect", "defective"),
    ("receive", "collect", "pick"),
    ("price", "cost"),
)
