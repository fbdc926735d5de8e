"""What demo customers and operators say: support scenarios of an online shop, in Russian and English.

Templates use `str.format` fields filled per conversation (`{order}`, `{product}`, `{date_new}`…,
see `generate._fillers`) and `[masculine|feminine]` pairs resolved by the speaker's gender, so
that «[Проверил|Проверила]» agrees with whoever writes the message. Internal notes are always in
Russian (the staff's language); `{sup}`, `{colleague}` and `{op_handle}` are @mention handles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Triple = tuple[str, str, str]
Pair = tuple[str, str]


@dataclass(frozen=True)
class Lines:
    """One scenario in one language.

    `ask`: the operator needs details first (the conversation waits as pending): question, the
    customer's answer, the operator's answer. `check`: the operator has to find out (the
    conversation is snoozed): holding message, result. `follow`: a follow-up question and its answer.
    `reopen`: the customer comes back after the resolution, and the operator's answer.
    """

    subject: tuple[str, ...]
    open: tuple[str, ...]
    answer: tuple[str, ...]
    ask: tuple[Triple, ...] = ()
    check: tuple[Pair, ...] = ()
    follow: tuple[Pair, ...] = ()
    reopen: tuple[Pair, ...] = ()


@dataclass(frozen=True)
class Scenario:
    key: str
    topic: str
    department: str  # support | sales | returns: who should handle it
    ru: Lines
    en: Lines
    notes: tuple[str, ...] = ()
    urgent: bool = False
    important: bool = False
    tag: str | None = None
    thanks_closing: bool = True
    sized: bool = False  # needs a product that comes in sizes
    consents: tuple[tuple[str, bool], ...] = field(default=())  # consents the operator changes

    def lines(self, language: str) -> Lines:
        return self.ru if language == "ru" else self.en


# --- delivery -------------------------------------------------------------------------------------

DELIVERY_LATE = Scenario(
    key="delivery.late",
    topic="delivery",
    department="support",
    ru=Lines(
        subject=("Задержка заказа №{order}", "Где мой заказ №{order}?", "Заказ №{order} не доставлен в срок"),
        open=(
            "Заказ №{order} должен был приехать {date_expected}, но до сих пор нет. В трекинге {carrier} статус"
            " не меняется уже два дня. Подскажите, что с ним?",
            "Где мой заказ? №{order}, [оформил|оформила] {date_order}, обещали доставку {date_expected}."
            " Все сроки уже прошли.",
            "Подскажите по заказу №{order}: срок доставки был {date_expected}, а посылка всё ещё «в пути»."
            " Мне он очень нужен к выходным.",
            "заказ {order} так и не пришёл(( трек {track} стоит на месте",
        ),
        answer=(
            "[Проверил|Проверила] заказ №{order}: посылка задержалась на сортировочном центре {carrier} в {hub_in}."
            " Новая дата доставки — {date_new}. Приносим извинения за ожидание, за задержку мы начислили вам"
            " {points} бонусных баллов.",
            "[Посмотрел|Посмотрела] трекинг: заказ №{order} уже в вашем городе и передан курьеру. Доставка"
            " ожидается {date_new}, курьер позвонит за час до приезда. Извините, что сроки сдвинулись.",
        ),
        ask=(
            (
                "Уточните, пожалуйста, актуален ли адрес доставки в заказе? В трекинге отмечена неудачная попытка"
                " вручения.",
                "Адрес верный, но домофон не работает — пусть курьер позвонит на телефон.",
                "Спасибо! [Добавил|Добавила] комментарий для курьера: позвонить при приезде. Повторная доставка —"
                " {date_new}.",
            ),
        ),
        check=(
            (
                "Сейчас уточню у {carrier}, что происходит с посылкой, и вернусь с ответом.",
                "[Вернулся|Вернулась] с ответом: служба доставки подтвердила, что посылка задержалась на складе в"
                " {hub_in} из-за большой загрузки. Её отправят сегодня, ориентировочная дата доставки — {date_new}."
                " В качестве извинения начислили вам {points} баллов.",
            ),
        ),
        follow=(
            (
                "А можно доставить вечером? Я на работе до 18.",
                "Да, конечно. [Перенёс|Перенесла] доставку на интервал {slot}.",
            ),
            (
                "А баллы за задержку когда придут?",
                "Баллы уже на вашем счёте, ими можно оплатить до 30% следующего заказа.",
            ),
        ),
        reopen=(
            (
                "Здравствуйте, это снова я. Курьер так и не приехал, хотя обещали {date_new}.",
                "Очень неприятно, простите. [Связался|Связалась] со службой доставки: заказ передали другому курьеру,"
                " он привезёт его сегодня до 21:00. Телефон курьера придёт в СМС.",
            ),
        ),
    ),
    en=Lines(
        subject=("Order #{order} is late", "Where is my order #{order}?"),
        open=(
            "My order #{order} was supposed to arrive on {date_expected}, but it still hasn't. The {carrier}"
            " tracking hasn't changed for two days. Could you check what's going on?",
            "Where is my order? #{order}, placed on {date_order}, delivery was promised for {date_expected}.",
            "order {order} still not here :( tracking number {track} hasn't moved",
        ),
        answer=(
            "I've checked order #{order}: the parcel got stuck at the {carrier} sorting center in {hub_in}. The new"
            " delivery date is {date_new}. Sorry for the wait — we've added {points} bonus points to your account"
            " for the delay.",
            "According to tracking, order #{order} is already in your city and has been handed to the courier."
            " Delivery is expected on {date_new}; the courier will call an hour before. Sorry the dates slipped.",
        ),
        ask=(
            (
                "Could you confirm the delivery address is still correct? Tracking shows a failed delivery attempt.",
                "Yes, the address is right, but the intercom is broken — the courier should call my phone.",
                "Thanks! I've added a note for the courier to call you on arrival. Redelivery is scheduled for"
                " {date_new}.",
            ),
        ),
        check=(
            (
                "Let me check with {carrier} what's happening with the parcel and get back to you.",
                "Thanks for waiting. The courier service confirmed the parcel was held at their warehouse in {hub_in}"
                " because of high volume. It ships today, estimated delivery {date_new}. We've added {points} points"
                " to your account as an apology.",
            ),
        ),
        follow=(
            (
                "Can it be delivered in the evening instead? I'm at work until 6.",
                "Sure, I've moved the delivery to the {slot} slot.",
            ),
            (
                "When will the points show up?",
                "They're already in your account — you can pay up to 30% of your next order with them.",
            ),
        ),
        reopen=(
            (
                "Hi again. The courier never showed up, even though you said {date_new}.",
                "I'm really sorry. I've contacted the courier service: the order was reassigned to another courier,"
                " who will deliver it today before 9 pm. You'll get the courier's phone number by text.",
            ),
        ),
    ),
    notes=(
        "Задержка на СЦ {carrier} в {hub_in}. @{sup} это уже не первый случай за неделю по этому складу.",
        "[Начислил|Начислила] {points} баллов за задержку. @{colleague} если клиент напишет в моё отсутствие — это он.",
    ),
)

DELIVERY_PICKUP_EXTEND = Scenario(
    key="delivery.pickup_extend",
    topic="delivery",
    department="support",
    ru=Lines(
        subject=("Продлить хранение заказа №{order}",),
        open=(
            "Можно продлить срок хранения заказа №{order} в пункте выдачи? Я в командировке до {date_new}.",
            "Заказ №{order} лежит в пункте выдачи на {pickup}, а я не успеваю забрать до конца недели."
            " Можно подержать его подольше?",
        ),
        answer=(
            "[Продлил|Продлила] срок хранения заказа №{order} до {date_new} включительно. Код получения"
            " остался прежним.",
            "Да, конечно. Заказ №{order} будет ждать вас в пункте выдачи на {pickup} до {date_new}.",
        ),
        follow=(
            (
                "А забрать может кто-то другой, например муж?",
                "Да, достаточно назвать код получения из СМС — паспорт не понадобится.",
            ),
            (
                "А если и к этой дате не успею?",
                "Напишите нам заранее — продлим ещё раз или привезём заказ курьером.",
            ),
        ),
    ),
    en=Lines(
        subject=("Extend storage for order #{order}",),
        open=(
            "Could you extend the storage time for order #{order} at the pickup point? I'm away until {date_new}.",
            "My order #{order} is waiting at the pickup point on {pickup}, but I can't get there this week."
            " Can you keep it longer?",
        ),
        answer=(
            "Done — I've extended storage for order #{order} until {date_new} inclusive. Your pickup code stays"
            " the same.",
            "Sure. Order #{order} will wait for you at the pickup point on {pickup} until {date_new}.",
        ),
        follow=(
            (
                "Can someone else pick it up for me?",
                "Yes, they just need the pickup code from the text message — no ID required.",
            ),
        ),
    ),
)

DELIVERY_PICKUP_MISSING = Scenario(
    key="delivery.pickup_missing",
    topic="delivery",
    department="support",
    ru=Lines(
        subject=("В пункте выдачи нет заказа №{order}",),
        open=(
            "Пришло СМС, что заказ №{order} ждёт в пункте выдачи на {pickup}, а там говорят, что посылки нет."
            " Что делать?",
            "[Пришёл|Пришла] забирать заказ {order}, а в пункте его не могут найти. Я зря [ехал|ехала] через весь"
            " город?",
        ),
        answer=(
            "Извините за путаницу. Посылка по заказу №{order} числится в пункте на {pickup}, но её ещё не успели"
            " разобрать после приёмки. Сегодня после 16:00 она будет доступна к выдаче — придёт повторное СМС.",
        ),
        check=(
            (
                "Сейчас свяжусь с пунктом выдачи и всё выясню.",
                "Пункт выдачи нашёл посылку: её по ошибке поставили на полку другого заказа. Можно забирать, код"
                " получения прежний. Приносим извинения!",
            ),
        ),
        reopen=(
            (
                "В пункте опять говорят, что посылки нет!",
                "Мне очень жаль, что так вышло. [Оформил|Оформила] повторную отправку заказа №{order} курьером до"
                " двери за наш счёт — доставка {date_new}. С пунктом выдачи разберёмся отдельно.",
            ),
        ),
    ),
    en=Lines(
        subject=("Order #{order} missing at the pickup point",),
        open=(
            "I got a text that order #{order} is waiting at the pickup point on {pickup}, but they say there's no"
            " such parcel. What should I do?",
            "I came to collect order {order} and the pickup point can't find it.",
        ),
        answer=(
            "Sorry for the confusion. The parcel for order #{order} is registered at the pickup point on {pickup},"
            " but it hasn't been unpacked yet. It will be ready after 4 pm today — you'll get another text.",
        ),
        check=(
            (
                "Let me call the pickup point and find out.",
                "The pickup point found your parcel — it had been put on the wrong shelf. You can collect it now with"
                " the same code. Our apologies!",
            ),
        ),
        reopen=(
            (
                "They're saying again that the parcel isn't there!",
                "I'm so sorry. I've arranged for order #{order} to be re-sent by courier to your door at our expense"
                " — delivery on {date_new}. We'll sort things out with the pickup point separately.",
            ),
        ),
    ),
    notes=("@{sup} пункт выдачи на {pickup} второй раз теряет посылки, стоит написать партнёру.",),
)

# --- order changes ------------------------------------------------------------------------------

ORDER_ADDRESS = Scenario(
    key="order.address",
    topic="order_change",
    department="support",
    ru=Lines(
        subject=("Изменить адрес в заказе №{order}",),
        open=(
            "Можно изменить адрес доставки в заказе №{order}? Я [ошибся|ошиблась] с номером дома.",
            "Здравствуйте, нужно поменять адрес в заказе {order} — буду на даче, привезите туда, пожалуйста.",
        ),
        answer=("Да, заказ ещё не передан в доставку. [Изменил|Изменила] адрес, дата доставки прежняя — {date_new}.",),
        ask=(
            (
                "Конечно! Пришлите, пожалуйста, новый адрес полностью: улица, дом, квартира, подъезд и этаж.",
                "ул. Садовая, д. 14, кв. 52, подъезд 3, этаж 7",
                "Готово, адрес в заказе №{order} обновлён. Доставка — {date_new}, интервал {slot}.",
            ),
        ),
        follow=(
            (
                "А время доставки тоже можно выбрать?",
                "Да, [поставил|поставила] интервал {slot} — курьер позвонит заранее.",
            ),
        ),
    ),
    en=Lines(
        subject=("Change the address for order #{order}",),
        open=(
            "Can I change the delivery address for order #{order}? I got the house number wrong.",
            "I need to change the address on order {order} — I'll be out of town, please deliver it there.",
        ),
        answer=("Yes, the order hasn't shipped yet. I've updated the address; the delivery date stays {date_new}.",),
        ask=(
            (
                "Of course! Please send the full new address: street, building, apartment, entrance and floor.",
                "14 Sadovaya St, apt 52, entrance 3, 7th floor",
                "Done — the address on order #{order} is updated. Delivery on {date_new}, {slot}.",
            ),
        ),
        follow=(
            ("Can I choose the delivery time too?", "Yes, I've set the {slot} slot; the courier will call ahead."),
        ),
    ),
)

ORDER_CANCEL = Scenario(
    key="order.cancel",
    topic="order_change",
    department="support",
    ru=Lines(
        subject=("Отмена заказа №{order}",),
        open=(
            "Хочу отменить заказ №{order}, планы поменялись.",
            "Отмените, пожалуйста, заказ {order} — [заказал|заказала] по ошибке не тот цвет, оформлю заново.",
            "Как отменить заказ №{order}? В приложении кнопка неактивна.",
        ),
        answer=(
            "[Отменил|Отменила] заказ №{order}. Деньги ({amount}) вернутся на карту в течение {days_refund} рабочих"
            " дней — срок зависит от банка.",
            "Заказ №{order} отменён. Кнопка неактивна, потому что заказ уже собран на складе, — в таких случаях"
            " отменяем через поддержку. Возврат {amount} придёт на карту за {days_refund} рабочих дней.",
        ),
        follow=(
            (
                "А бонусы, которыми я [платил|платила], вернутся?",
                "Да, списанные баллы вернулись на ваш счёт сразу после отмены.",
            ),
        ),
    ),
    en=Lines(
        subject=("Cancel order #{order}",),
        open=(
            "I'd like to cancel order #{order}, my plans have changed.",
            "Please cancel order {order} — I picked the wrong color by mistake, I'll order again.",
            "How do I cancel order #{order}? The button in the app is greyed out.",
        ),
        answer=(
            "I've cancelled order #{order}. The refund of {amount} will reach your card within {days_refund} business"
            " days, depending on your bank.",
            "Order #{order} is cancelled. The button was inactive because the order had already been packed — in that"
            " case we cancel through support. The refund of {amount} will arrive within {days_refund} business days.",
        ),
        follow=(
            (
                "Will I get back the points I paid with?",
                "Yes, the points were returned to your account right after the cancellation.",
            ),
        ),
    ),
)

ORDER_ADD_ITEM = Scenario(
    key="order.add_item",
    topic="order_change",
    department="sales",
    ru=Lines(
        subject=("Добавить товар в заказ №{order}",),
        open=(
            "Можно добавить в заказ №{order} ещё товар «{product2}»? Чтобы не платить за доставку второй раз.",
            "Я [забыл|забыла] положить в корзину «{product2}». Добавите в заказ {order}?",
        ),
        answer=(
            "[Добавил|Добавила] «{product2}» в заказ №{order}. Доплата — {amount}, ссылка на оплату придёт в СМС."
            " Дата доставки не изменится.",
        ),
        follow=(("А можно оплатить баллами?", "Да, по ссылке можно списать баллы — до 30% суммы доплаты."),),
    ),
    en=Lines(
        subject=("Add an item to order #{order}",),
        open=(
            "Can I add {product2} to order #{order}? I'd rather not pay for delivery twice.",
            "I forgot to put {product2} in my cart. Could you add it to order {order}?",
        ),
        answer=(
            "I've added {product2} to order #{order}. The extra payment is {amount}; you'll get a payment link by"
            " text. The delivery date doesn't change.",
        ),
        follow=(("Can I pay with points?", "Yes, the payment link lets you use points for up to 30% of the amount."),),
    ),
)

# --- payment ------------------------------------------------------------------------------------

PAYMENT_DOUBLE = Scenario(
    key="payment.double_charge",
    topic="payment",
    department="support",
    urgent=True,
    ru=Lines(
        subject=("Двойное списание по заказу №{order}",),
        open=(
            "С карты списали деньги дважды за заказ №{order}, два раза по {amount}. Верните, пожалуйста, лишнее!",
            "У меня два списания за один заказ ({order}). Это как вообще?",
        ),
        answer=(
            "[Проверил|Проверила] платежи: второе списание — это блокировка (холдирование) банка, магазин его не"
            " подтверждал. Банк снимет блокировку автоматически в течение 3 рабочих дней.",
        ),
        ask=(
            (
                "Пришлите, пожалуйста, последние 4 цифры карты и время обоих списаний — так быстрее найдём платежи.",
                "Карта *{card}, списания в 14:02 и 14:05.",
                "[Нашёл|Нашла] оба платежа. Второй отменили, деньги вернутся на карту *{card} в течение"
                " {days_refund} рабочих дней. Извините за неудобство!",
            ),
        ),
        reopen=(
            (
                "Сегодня третий день, деньги так и не вернулись.",
                "Извините за ожидание. [Создал|Создала] заявку в банк-эквайер на принудительную отмену, номер"
                " {track}. Обычно это занимает 1–2 дня, я держу вопрос на контроле.",
            ),
        ),
    ),
    en=Lines(
        subject=("Double charge for order #{order}",),
        open=(
            "My card was charged twice for order #{order}, {amount} each time. Please refund the extra charge!",
            "I see two charges for one order ({order}). How did that happen?",
        ),
        answer=(
            "I've checked the payments: the second charge is a temporary hold by your bank; the shop never captured"
            " it. The bank will release it automatically within 3 business days.",
        ),
        ask=(
            (
                "Could you send the last 4 digits of the card and the time of both charges? That will help us find"
                " the payments faster.",
                "Card ending {card}, charges at 2:02 pm and 2:05 pm.",
                "Found both. We've voided the second one; the money will be back on the card ending {card} within"
                " {days_refund} business days. Sorry for the trouble!",
            ),
        ),
        reopen=(
            (
                "It's the third day and the money still isn't back.",
                "Sorry for the wait. I've filed a request with the acquiring bank to force the reversal, reference"
                " {track}. It usually takes 1–2 days; I'm keeping an eye on it.",
            ),
        ),
    ),
    notes=("@{sup} двойное списание через эквайринг, третий случай за неделю. Может, стоит написать в банк?",),
)

PAYMENT_FAILED = Scenario(
    key="payment.failed",
    topic="payment",
    department="support",
    ru=Lines(
        subject=("Не проходит оплата",),
        open=(
            "Не проходит оплата картой, пишет «операция отклонена». Деньги на карте есть.",
            "Пытаюсь оплатить заказ №{order} уже третий раз — ошибка платежа. Что не так?",
        ),
        answer=(
            "Такую ошибку обычно возвращает банк — чаще всего из-за лимита на онлайн-покупки. Попробуйте оплатить"
            " через СБП или другой картой; заказ №{order} мы зарезервировали до конца дня.",
        ),
        follow=(
            ("Через СБП прошло, спасибо. А чек придёт?", "Да, электронный чек придёт на вашу почту в течение часа."),
            (
                "А можно оплатить при получении?",
                "Да, курьеру можно оплатить картой или наличными — [поменял|поменяла] способ оплаты в заказе.",
            ),
        ),
    ),
    en=Lines(
        subject=("Payment declined",),
        open=(
            "My card payment won't go through, it says \"transaction declined\". There's money on the card.",
            "I've tried to pay for order #{order} three times and keep getting a payment error. What's wrong?",
        ),
        answer=(
            "That error usually comes from the bank — most often an online-purchase limit. Try paying via SBP or with"
            " another card; we've reserved order #{order} for you until the end of the day.",
        ),
        follow=(
            (
                "SBP worked, thanks. Will I get a receipt?",
                "Yes, the electronic receipt will arrive by email within an hour.",
            ),
            (
                "Can I pay on delivery instead?",
                "Yes, you can pay the courier by card or cash — I've switched the payment method on the order.",
            ),
        ),
    ),
)

PAYMENT_DOCUMENTS = Scenario(
    key="payment.documents",
    topic="payment",
    department="sales",
    ru=Lines(
        subject=("Закрывающие документы по заказу №{order}",),
        open=(
            "Нужны закрывающие документы для юрлица по заказу №{order}. Как их получить?",
            "Мы оплатили заказ {order} по счёту, бухгалтерия просит УПД. Пришлите, пожалуйста.",
        ),
        answer=("УПД по заказу №{order} [отправил|отправила] на вашу почту, оригинал приедет вместе с заказом.",),
        ask=(
            (
                "Пришлите, пожалуйста, реквизиты компании: ИНН, КПП и юридический адрес.",
                "ИНН 7701234567, КПП 770101001, адрес: г. Москва, ул. Тверская, д. 7, офис 12.",
                "Спасибо! Счёт-фактура и УПД по заказу №{order} отправлены на вашу почту, оригиналы приедут вместе"
                " с заказом.",
            ),
        ),
    ),
    en=Lines(
        subject=("Invoice documents for order #{order}",),
        open=(
            "I need closing documents for my company for order #{order}. How can I get them?",
            "We paid order {order} by invoice and our accountant needs the documents. Could you send them?",
        ),
        answer=("I've emailed the documents for order #{order}; the originals will come with the order.",),
        ask=(
            (
                "Please send your company details: tax ID (INN), KPP and registered address.",
                "INN 7701234567, KPP 770101001, 7 Tverskaya St, office 12, Moscow.",
                "Thank you! The invoice and the transfer document for order #{order} are in your inbox; the originals"
                " will arrive with the order.",
            ),
        ),
    ),
)

# --- returns ------------------------------------------------------------------------------------

RETURN_SIZE = Scenario(
    key="returns.size",
    topic="returns",
    department="returns",
    sized=True,
    tag="возврат",
    ru=Lines(
        subject=("Возврат по заказу №{order}",),
        open=(
            "Хочу вернуть товар «{product}» из заказа №{order} — не подошёл размер.",
            "Размер {size} оказался маловат. Как оформить возврат? Заказ {order}.",
            "Подскажите, как вернуть «{product}»? Село плохо, носить не буду.",
        ),
        answer=(
            "Конечно. [Оформил|Оформила] возврат: отнесите товар в любой пункт выдачи {carrier} до {date_new} и"
            " назовите номер возврата {track}. Деньги ({amount}) вернутся в течение {days_refund} рабочих дней"
            " после проверки товара.",
        ),
        ask=(
            (
                "Подскажите, товар не был в носке и бирки на месте? Это нужно для оформления возврата.",
                "Да, только [примерил|примерила] дома, бирки на месте.",
                "Отлично, возврат оформлен: курьер заберёт товар {date_new}, номер возврата {track}. Деньги"
                " ({amount}) придут в течение {days_refund} рабочих дней.",
            ),
        ),
        follow=(
            (
                "А можно не вернуть, а обменять на размер {size2}?",
                "Да, размер {size2} есть в наличии. [Оформил|Оформила] обмен: курьер привезёт новый товар и сразу"
                " заберёт прежний.",
            ),
        ),
    ),
    en=Lines(
        subject=("Return for order #{order}",),
        open=(
            "I'd like to return {product} from order #{order} — wrong size.",
            "Size {size} turned out too small. How do I return it? Order {order}.",
        ),
        answer=(
            "Of course. I've set up the return: drop the item at any {carrier} pickup point by {date_new} and give"
            " them return number {track}. The refund of {amount} will arrive within {days_refund} business days"
            " after we inspect the item.",
        ),
        ask=(
            (
                "Has the item been worn, and are the tags still on? We need this for the return.",
                "Only tried it on at home, tags are on.",
                "Great, the return is set up: a courier will collect the item on {date_new}, return number {track}."
                " The refund of {amount} will arrive within {days_refund} business days.",
            ),
        ),
        follow=(
            (
                "Could I exchange it for size {size2} instead?",
                "Yes, size {size2} is in stock. I've arranged an exchange: the courier will bring the new one and take"
                " the old one at the same time.",
            ),
        ),
    ),
)

RETURN_REFUND_STATUS = Scenario(
    key="returns.refund_status",
    topic="returns",
    department="returns",
    ru=Lines(
        subject=("Не пришли деньги за возврат",),
        open=(
            "[Вернул|Вернула] товар по заказу №{order} ещё {date_order}, а деньги до сих пор не пришли.",
            "Когда вернутся деньги за возврат? Заказ {order}, сумма {amount}.",
        ),
        answer=(
            "Возврат по заказу №{order} одобрен {date_expected}, деньги отправлены на карту. Банку нужно до"
            " {days_refund} рабочих дней, чтобы их зачислить. Если к {date_new} не придут — напишите, пришлём"
            " платёжное поручение.",
        ),
        check=(
            (
                "Уточню в бухгалтерии статус выплаты и вернусь к вам.",
                "Бухгалтерия подтвердила: возврат {amount} отправлен {date_expected}, номер операции {track}. Банк"
                " зачислит деньги в течение пары дней.",
            ),
        ),
        reopen=(
            (
                "Деньги так и не пришли.",
                "[Отправил|Отправила] вам на почту платёжное поручение — по нему банк найдёт перевод. Если нужно,"
                " подключу коллег из бухгалтерии.",
            ),
        ),
    ),
    en=Lines(
        subject=("Refund not received",),
        open=(
            "I returned the items from order #{order} back on {date_order}, but I still haven't got my money.",
            "When will I get the refund? Order {order}, {amount}.",
        ),
        answer=(
            "The return for order #{order} was approved on {date_expected} and the money has been sent to your card."
            " Banks take up to {days_refund} business days to credit it. If it's not there by {date_new}, let us"
            " know and we'll send the payment order.",
        ),
        check=(
            (
                "Let me check the payout status with our accounting team.",
                "Accounting confirmed: the refund of {amount} was sent on {date_expected}, transaction {track}. Your"
                " bank should credit it within a couple of days.",
            ),
        ),
        reopen=(
            (
                "The money still hasn't arrived.",
                "I've emailed you the payment order — your bank can trace the transfer with it. I can also bring in"
                " our accounting team if needed.",
            ),
        ),
    ),
)

RETURN_DEFECT = Scenario(
    key="returns.defect",
    topic="returns",
    department="returns",
    important=True,
    tag="возврат",
    ru=Lines(
        subject=("Брак в заказе №{order}",),
        open=(
            "Пришёл товар «{product}» с браком: {defect}. Заказ №{order}. Что делать?",
            "Только что [распаковал|распаковала] заказ {order}, а там брак — {defect}. Очень неприятно.",
        ),
        answer=(
            "Очень жаль! [Оформил|Оформила] возврат: курьер заберёт товар {date_new}, деньги {amount} вернутся в"
            " течение {days_refund} рабочих дней. Или можем прислать замену — как вам удобнее?",
        ),
        ask=(
            (
                "Очень жаль! Подскажите, пожалуйста, сохранились ли упаковка и чек?",
                "Коробка целая, чек электронный, на почте.",
                "Спасибо, этого достаточно. [Оформил|Оформила] возврат: курьер заберёт товар {date_new}, деньги"
                " {amount} вернутся в течение {days_refund} рабочих дней. Или можем прислать замену — как удобнее?",
            ),
        ),
        follow=(
            (
                "Лучше замену.",
                "Хорошо, [оформил|оформила] обмен: курьер привезёт новый товар {date_new} и заберёт бракованный.",
            ),
        ),
        reopen=(
            (
                "Замену привезли, но у неё та же проблема: {defect}.",
                "Простите, это совсем не дело. [Оформил|Оформила] полный возврат {amount} и начисли[л|ла] {points}"
                " баллов за беспокойство. Партию передали на проверку поставщику.",
            ),
        ),
    ),
    en=Lines(
        subject=("Faulty item in order #{order}",),
        open=(
            "{product} arrived faulty: {defect}. Order #{order}. What should I do?",
            "Just unpacked order {order} and it's defective — {defect}. Very disappointing.",
        ),
        answer=(
            "I'm so sorry! I've arranged a return: a courier will collect the item on {date_new}, and {amount} will"
            " be refunded within {days_refund} business days. Or we can send a replacement — which do you prefer?",
        ),
        ask=(
            (
                "I'm so sorry! Do you still have the packaging and the receipt?",
                "The box is fine, and the receipt is in my email.",
                "Thanks, that's all we need. A courier will collect the item on {date_new}, and {amount} will be"
                " refunded within {days_refund} business days. Or we can send a replacement — which do you prefer?",
            ),
        ),
        follow=(
            (
                "A replacement, please.",
                "Sure — the courier will bring a new one on {date_new} and take the faulty one back.",
            ),
        ),
        reopen=(
            (
                "The replacement arrived, but it has the same problem: {defect}.",
                "I'm really sorry, that's not acceptable. I've issued a full refund of {amount} and added {points}"
                " points for the trouble. The batch has been sent back to the supplier for inspection.",
            ),
        ),
    ),
    notes=(
        "@{sup} брак в партии, уже не первый возврат по этой позиции. Предлагаю снять остатки с продажи до проверки.",
        "Клиент согласен на замену. @{colleague} проследи, пожалуйста, чтобы курьер забрал бракованный товар.",
    ),
)

# --- products -----------------------------------------------------------------------------------

PRODUCT_SIZE = Scenario(
    key="product.size",
    topic="product",
    department="sales",
    sized=True,
    ru=Lines(
        subject=("Вопрос по размеру: {product}",),
        open=(
            "Какой размер «{product}» взять? Обычно ношу {size}.",
            "Подскажите по размерной сетке «{product}»: они большемерят или маломерят?",
        ),
        answer=(
            "Модель маломерит примерно на полразмера, поэтому советую взять {size2}. Если не подойдёт — обмен"
            " бесплатный в течение 30 дней.",
            "По отзывам модель соответствует размеру, так что смело берите {size}. Если всё же не подойдёт, обменяем"
            " бесплатно.",
        ),
        follow=(("А {size2} сейчас есть в наличии?", "Да, на складе несколько штук, доставка — от 1 дня."),),
    ),
    en=Lines(
        subject=("Size question: {product}",),
        open=(
            "Which size of {product} should I get? I usually wear {size}.",
            "Does {product} run small or large?",
        ),
        answer=(
            "This model runs about half a size small, so I'd suggest {size2}. If it doesn't fit, exchanges are free"
            " within 30 days.",
            "Customers say it's true to size, so {size} should be fine. If not, we'll exchange it for free.",
        ),
        follow=(("Is {size2} in stock right now?", "Yes, we have several in the warehouse; delivery from 1 day."),),
    ),
)

PRODUCT_STOCK = Scenario(
    key="product.stock",
    topic="product",
    department="sales",
    ru=Lines(
        subject=("Когда будет в наличии {product}?",),
        open=(
            "Когда снова появится в продаже «{product}»? На сайте «нет в наличии».",
            "Очень жду «{product}», когда поступление?",
        ),
        answer=(
            "Ожидаем поставку {date_new}. Могу подписать вас на уведомление — придёт СМС, как только товар появится.",
        ),
        check=(
            (
                "Уточню у закупщиков даты поставки и вернусь к вам.",
                "Закупщики подтвердили поставку на {date_new}. Я [подписал|подписала] вас на уведомление о"
                " поступлении.",
            ),
        ),
        follow=(("Да, подпишите, пожалуйста.", "Готово! Уведомление придёт на номер из профиля."),),
    ),
    en=Lines(
        subject=("When will {product} be back in stock?",),
        open=(
            "When will {product} be available again? The site says out of stock.",
            "I've been waiting for {product} — when is the next delivery?",
        ),
        answer=("We expect a delivery on {date_new}. I can sign you up for a back-in-stock text if you like.",),
        check=(
            (
                "Let me check the delivery date with our buyers and get back to you.",
                "Our buyers confirmed a delivery on {date_new}. I've signed you up for a back-in-stock notification.",
            ),
        ),
        follow=(("Yes, please sign me up.", "Done! You'll get a text at the number in your profile."),),
    ),
)

PRODUCT_WARRANTY = Scenario(
    key="product.warranty",
    topic="product",
    department="sales",
    ru=Lines(
        subject=("Гарантия на {product}",),
        open=(
            "Подскажите, какая гарантия на «{product}»? И где ремонтировать, если что?",
            "Присматриваюсь к «{product}». Есть ли гарантия и можно ли вернуть, если не понравится?",
        ),
        answer=(
            "Гарантия производителя — 12 месяцев, плюс у нас 30 дней на возврат без объяснения причин. Сервисные"
            " центры есть во всех крупных городах, список — в карточке товара.",
        ),
        follow=(
            (
                "А в подарочной упаковке можно заказать?",
                "Да, при оформлении выберите «Подарочная упаковка» — это бесплатно.",
            ),
            ("А есть рассрочка?", "Да, рассрочка на 4 месяца без переплаты — выберите её на шаге оплаты."),
        ),
    ),
    en=Lines(
        subject=("Warranty for {product}",),
        open=(
            "What's the warranty on {product}? And where would I get it repaired?",
            "I'm thinking about buying {product}. Is there a warranty, and can I return it if I don't like it?",
        ),
        answer=(
            "There's a 12-month manufacturer's warranty, plus 30 days to return it for any reason. There are service"
            " centers in all major cities; the list is on the product page.",
        ),
        follow=(
            ("Can I order it gift-wrapped?", 'Yes, choose "Gift wrapping" at checkout — it\'s free.'),
            ("Do you offer installments?", "Yes, 4 interest-free installments — pick it at the payment step."),
        ),
    ),
)

# --- loyalty ------------------------------------------------------------------------------------

LOYALTY_POINTS = Scenario(
    key="loyalty.missing_points",
    topic="loyalty",
    department="support",
    ru=Lines(
        subject=("Не начислились баллы за заказ №{order}",),
        open=(
            "Не начислились баллы за заказ №{order}. [Получил|Получила] его неделю назад.",
            "Где мои бонусы за последний заказ? {order}",
        ),
        answer=(
            "Баллы начисляются через 14 дней после получения заказа — это срок, в который можно вернуть товар."
            " За заказ №{order} придут {points} баллов, их можно будет потратить на следующую покупку.",
        ),
        check=(
            (
                "Проверю начисление и вернусь с ответом.",
                "[Нашёл|Нашла] причину: заказ не привязался к вашей карте лояльности. [Начислил|Начислила] {points}"
                " баллов вручную — они уже на счёте.",
            ),
        ),
        follow=(
            (
                "А сколько баллов у меня сейчас всего?",
                "Сейчас на счёте {points} баллов, ближайшее сгорание — не раньше чем через 3 месяца.",
            ),
        ),
    ),
    en=Lines(
        subject=("Missing points for order #{order}",),
        open=(
            "I didn't get bonus points for order #{order}. I received it a week ago.",
            "Where are my points for the last order? {order}",
        ),
        answer=(
            "Points are credited 14 days after you receive an order — that's the return window. You'll get {points}"
            " points for order #{order}, ready for your next purchase.",
        ),
        check=(
            (
                "Let me look into it and get back to you.",
                "Found it: the order wasn't linked to your loyalty card. I've credited {points} points manually —"
                " they're in your account now.",
            ),
        ),
    ),
)

LOYALTY_PROMO = Scenario(
    key="loyalty.promo",
    topic="loyalty",
    department="support",
    ru=Lines(
        subject=("Не работает промокод {promo}",),
        open=(
            "Промокод {promo} не применяется, пишет «недействителен». Срок же ещё не вышел?",
            "Почему не работает промокод {promo}? Пришёл в рассылке.",
        ),
        answer=(
            "Промокод {promo} действует на заказы от 3 000 ₽ и не суммируется с товарами из раздела «Распродажа»."
            " В вашей корзине как раз уценённый товар — поэтому код не применился. Могу вместо него начислить"
            " {points} баллов.",
        ),
        follow=(("Да, давайте баллы.", "Готово, {points} баллов уже на счёте."),),
    ),
    en=Lines(
        subject=("Promo code {promo} doesn't work",),
        open=(
            "The promo code {promo} won't apply, it says \"invalid\". It hasn't expired yet, has it?",
            "Why doesn't the promo code {promo} from your newsletter work?",
        ),
        answer=(
            "{promo} works on orders over 3,000 ₽ and can't be combined with sale items. There's a sale item in your"
            " cart, which is why the code didn't apply. I can add {points} points to your account instead.",
        ),
        follow=(("Yes, the points please.", "Done — {points} points are in your account."),),
    ),
)

LOYALTY_TIER = Scenario(
    key="loyalty.tier",
    topic="loyalty",
    department="support",
    ru=Lines(
        subject=("Уровень в программе лояльности",),
        open=(
            "Как перейти на золотой уровень в программе лояльности? И что он даёт?",
            "Сколько мне осталось до следующего уровня карты?",
        ),
        answer=(
            "Золотой уровень открывается при покупках от 60 000 ₽ за год: кешбэк баллами 7% вместо 5% и бесплатная"
            " доставка. Вам осталось совсем немного — {amount}.",
        ),
    ),
    en=Lines(
        subject=("Loyalty tier question",),
        open=(
            "How do I get to the Gold tier of the loyalty program, and what does it give me?",
            "How much do I have left to spend to reach the next card tier?",
        ),
        answer=(
            "Gold unlocks at 60,000 ₽ of purchases in a year: 7% back in points instead of 5%, and free delivery."
            " You're close — just {amount} to go.",
        ),
    ),
)

# --- account ------------------------------------------------------------------------------------

ACCOUNT_SMS = Scenario(
    key="account.sms_code",
    topic="account",
    department="support",
    ru=Lines(
        subject=("Не приходит код для входа",),
        open=(
            "Не приходит СМС с кодом для входа в приложение. Жду уже полчаса.",
            "не могу войти в аккаунт, код не приходит",
        ),
        answer=(
            "[Проверил|Проверила]: код отправлялся, но оператор связи его не доставил. Попробуйте войти по звонку —"
            " нажмите «Получить звонок» на экране входа. Если не выйдет, напишите, я сброшу ограничение.",
        ),
        ask=(
            (
                "Подскажите, пожалуйста, какой номер вы вводите и какая версия приложения у вас стоит?",
                "Номер тот же, что в профиле, версия 5.12 на айфоне.",
                "Спасибо! В версии 5.12 была ошибка с отправкой кодов, в 5.13 её исправили — обновите приложение,"
                " пожалуйста, и код придёт.",
            ),
        ),
        reopen=(
            (
                "Обновил[|а] приложение, код всё равно не приходит.",
                "[Сбросил|Сбросила] ограничение на отправку кодов для вашего номера и [передал|передала] случай"
                " разработчикам. Попробуйте ещё раз — должно сработать.",
            ),
        ),
    ),
    en=Lines(
        subject=("Login code not arriving",),
        open=(
            "I'm not getting the text message with the login code for the app. Been waiting half an hour.",
            "can't log in, the code never arrives",
        ),
        answer=(
            "I've checked: the code was sent, but the mobile carrier didn't deliver it. Try logging in with a call"
            " instead — tap \"Get a call\" on the login screen. If that doesn't work, let me know and I'll reset"
            " the limit.",
        ),
        ask=(
            (
                "Which number are you entering, and which version of the app do you have?",
                "Same number as in my profile, version 5.12 on iPhone.",
                "Thanks! Version 5.12 had a bug with login codes, fixed in 5.13 — please update the app and the code"
                " will come through.",
            ),
        ),
        reopen=(
            (
                "Updated the app, still no code.",
                "I've reset the code limit for your number and passed your case to our developers. Please try again —"
                " it should work now.",
            ),
        ),
    ),
    notes=("@{colleague} уже пятое обращение про коды в 5.12 за сегодня, [завёл|завела] задачу разработчикам.",),
)

ACCOUNT_UNSUBSCRIBE = Scenario(
    key="account.unsubscribe",
    topic="account",
    department="support",
    consents=(("marketing_email", False), ("marketing_sms", False)),
    ru=Lines(
        subject=("Отписаться от рассылки",),
        open=(
            "Отпишите меня, пожалуйста, от рассылок. Слишком много писем и СМС.",
            "Как отключить рекламные сообщения? Пишете каждый день.",
        ),
        answer=(
            "[Отписал|Отписала] вас от рекламных писем и СМС — изменения вступят в силу в течение суток. Сообщения"
            " о статусе заказов продолжат приходить.",
        ),
    ),
    en=Lines(
        subject=("Unsubscribe",),
        open=(
            "Please unsubscribe me from your newsletters — too many emails and texts.",
            "How do I stop the promotional messages? You write every day.",
        ),
        answer=(
            "I've unsubscribed you from promotional emails and texts; it takes effect within a day. You'll still get"
            " order status updates.",
        ),
    ),
)

# --- complaints ---------------------------------------------------------------------------------

COMPLAINT_COURIER = Scenario(
    key="complaint.courier",
    topic="complaint",
    department="support",
    urgent=True,
    important=True,
    tag="жалоба",
    ru=Lines(
        subject=("Жалоба на курьера",),
        open=(
            "Курьер опоздал на три часа и даже не позвонил. Я весь вечер [просидел|просидела] дома. Это уже второй"
            " раз!",
            "Курьер нахамил по телефону и бросил коробку у двери. Заказ {order}. Разберитесь, пожалуйста.",
        ),
        answer=(
            "Приношу извинения за эту ситуацию — так быть не должно. [Передал|Передала] жалобу руководителю"
            " курьерской службы, с курьером проведут разбор. В качестве компенсации [начислил|начислила] вам"
            " {points} бонусных баллов, а следующая доставка будет бесплатной.",
        ),
        follow=(
            (
                "А товар точно не повреждён, если его бросили?",
                "Если заметите повреждения — сразу пишите, заменим без вопросов.",
            ),
        ),
    ),
    en=Lines(
        subject=("Complaint about the courier",),
        open=(
            "The courier was three hours late and didn't even call. I waited at home all evening. This is the second"
            " time!",
            "The courier was rude on the phone and just dropped the box at my door. Order {order}. Please look"
            " into it.",
        ),
        answer=(
            "I apologize — this shouldn't have happened. I've passed your complaint to the head of the courier"
            " service, and they will follow up with the courier. As compensation we've added {points} bonus points"
            " to your account, and your next delivery is free.",
        ),
        follow=(
            (
                "What if the item got damaged when he dropped it?",
                "If you notice any damage, message us right away and we'll replace it, no questions asked.",
            ),
        ),
    ),
    notes=(
        "@{sup} жалоба на курьера, у клиента второй случай. [Начислил|Начислила] {points} баллов компенсации, ок?",
        "@{sup} клиент очень расстроен, держу на контроле. Курьерской службе [написал|написала].",
    ),
)

COMPLAINT_WRONG_ITEM = Scenario(
    key="complaint.wrong_item",
    topic="complaint",
    department="returns",
    urgent=True,
    important=True,
    tag="жалоба",
    ru=Lines(
        subject=("Привезли не тот товар",),
        open=(
            "Привезли не тот товар! [Заказывал|Заказывала] «{product}», а в коробке «{product2}». Заказ №{order}.",
            "В заказе {order} вместо «{product}» лежит «{product2}». Как так?",
        ),
        answer=(
            "Простите за ошибку склада! [Оформил|Оформила] замену: курьер привезёт товар «{product}» {date_new} и"
            " заберёт «{product2}». Ничего доплачивать не нужно, а за беспокойство мы начислили {points} баллов.",
        ),
        reopen=(
            (
                "Курьер привёз замену — и опять не то!",
                "Мне очень жаль. [Проверил|Проверила] лично: на складе перепутали артикулы. [Отправил|Отправила]"
                " правильный товар срочной доставкой, он будет у вас завтра, и [вернул|вернула] стоимость доставки.",
            ),
        ),
    ),
    en=Lines(
        subject=("Wrong item delivered",),
        open=(
            "You sent the wrong item! I ordered {product} and the box has {product2} in it. Order #{order}.",
            "Order {order} contains {product2} instead of {product}. How did that happen?",
        ),
        answer=(
            "Sorry about the warehouse mix-up! I've arranged a replacement: a courier will bring {product} on"
            " {date_new} and take back {product2}. No extra charge, and we've added {points} points for the trouble.",
        ),
        reopen=(
            (
                "The courier brought the replacement — and it's wrong again!",
                "I'm so sorry. I checked myself: the warehouse mixed up the SKUs. I've sent the right item by express"
                " delivery, it will be with you tomorrow, and I've refunded the delivery fee.",
            ),
        ),
    ),
    notes=("@{sup} пересорт на складе, второй за неделю. Передал[|а] складу номер заказа {order}.",),
)

# --- thanks -------------------------------------------------------------------------------------

THANKS_COURIER = Scenario(
    key="thanks.courier",
    topic="thanks",
    department="support",
    thanks_closing=False,
    ru=Lines(
        subject=("Спасибо курьеру",),
        open=(
            "Хочу поблагодарить курьера, который привёз заказ №{order}: приехал минута в минуту и помог занести"
            " коробку на этаж. Спасибо!",
            "Заказ {order} доставили раньше срока, всё аккуратно упаковано. Вы молодцы!",
        ),
        answer=(
            "Спасибо за тёплые слова, {name}! Обязательно передадим благодарность курьеру и его руководителю 🙂",
            "Очень приятно это читать! Передадим коллегам — им будет важно. Хорошего дня!",
        ),
    ),
    en=Lines(
        subject=("Thank you to the courier",),
        open=(
            "I'd like to thank the courier who delivered order #{order}: right on time, and he helped carry the box"
            " upstairs. Thank you!",
            "Order {order} arrived early and was packed really carefully. Great job!",
        ),
        answer=(
            "Thank you for the kind words, {name}! We'll pass them on to the courier and his manager 🙂",
            "So nice to hear this! I'll pass it on to the team — it means a lot to them.",
        ),
    ),
    notes=("@{sup} благодарность курьеру — в копилку для ежемесячного отчёта 🙂",),
)

THANKS_SUPPORT = Scenario(
    key="thanks.support",
    topic="thanks",
    department="support",
    thanks_closing=False,
    ru=Lines(
        subject=("Благодарность",),
        open=(
            "Спасибо вашей поддержке: вчера за пять минут решили вопрос с возвратом. Редко такое встречаю.",
            "Просто хочу сказать спасибо — покупаю у вас третий год, и ни разу не подвели.",
        ),
        answer=(
            "{name}, спасибо, что нашли время написать! Передам коллегам, им будет очень приятно.",
            "Спасибо, что остаётесь с нами! Нам очень важны такие слова.",
        ),
    ),
    en=Lines(
        subject=("Thank you",),
        open=(
            "Thanks to your support team — yesterday you sorted out my return in five minutes. Rare these days.",
            "Just wanted to say thank you — I've been shopping with you for three years and you've never let me down.",
        ),
        answer=(
            "{name}, thank you for taking the time to write! I'll pass it on to the team.",
            "Thank you for staying with us! Words like these mean a lot.",
        ),
    ),
)

SCENARIOS: tuple[Scenario, ...] = (
    DELIVERY_LATE,
    DELIVERY_PICKUP_EXTEND,
    DELIVERY_PICKUP_MISSING,
    ORDER_ADDRESS,
    ORDER_CANCEL,
    ORDER_ADD_ITEM,
    PAYMENT_DOUBLE,
    PAYMENT_FAILED,
    PAYMENT_DOCUMENTS,
    RETURN_SIZE,
    RETURN_REFUND_STATUS,
    RETURN_DEFECT,
    PRODUCT_SIZE,
    PRODUCT_STOCK,
    PRODUCT_WARRANTY,
    LOYALTY_POINTS,
    LOYALTY_PROMO,
    LOYALTY_TIER,
    ACCOUNT_SMS,
    ACCOUNT_UNSUBSCRIBE,
    COMPLAINT_COURIER,
    COMPLAINT_WRONG_ITEM,
    THANKS_COURIER,
    THANKS_SUPPORT,
)

# How often each topic comes through each inbox (relative weights).
TOPIC_WEIGHTS: dict[str, dict[str, float]] = {
    "site": {
        "delivery": 24, "returns": 15, "payment": 11, "order_change": 12, "product": 10,
        "loyalty": 10, "complaint": 7, "thanks": 5, "account": 6,
    },
    "app": {
        "delivery": 22, "returns": 12, "payment": 11, "order_change": 10, "product": 7,
        "loyalty": 14, "complaint": 6, "thanks": 6, "account": 12,
    },
    "marketplace": {
        "delivery": 24, "returns": 15, "payment": 3, "order_change": 6, "product": 32,
        "loyalty": 0, "complaint": 11, "thanks": 9, "account": 0,
    },
}  # fmt: skip

# --- pieces shared by every scenario --------------------------------------------------------------

CUSTOMER_GREETINGS = {
    "ru": ("Здравствуйте! ", "Добрый день! ", "Здравствуйте. ", "Добрый день. ", "Привет! ", ""),
    "en": ("Hello! ", "Hi, ", "Hi there. ", "Good afternoon. ", ""),
}
CUSTOMER_GREETINGS_EVENING = {"ru": ("Добрый вечер! ",), "en": ("Good evening. ",)}

OPERATOR_GREETINGS = {
    "ru": ("Здравствуйте, {name}!", "{name}, здравствуйте!", "Добрый день, {name}!"),
    "en": ("Hi {name}!", "Hello {name}!", "Hi {name}."),
}
OPERATOR_GREETINGS_MORNING = {"ru": ("Доброе утро, {name}!",), "en": ("Good morning, {name}.",)}
OPERATOR_GREETINGS_EVENING = {"ru": ("Добрый вечер, {name}!",), "en": ("Good evening, {name}.",)}
OPERATOR_INTRO = {
    "ru": ("Меня зовут {op}, помогу разобраться.", "На связи {op}.", "Это {op}, служба заботы о клиентах."),
    "en": ("My name is {op}, I'll help you with this.", "{op} here from customer care."),
}
EMAIL_SIGNATURE = {
    "ru": "С уважением,\n{op}, служба заботы о клиентах",
    "en": "Best regards,\n{op}, Customer Care",
}

ORDER_NUMBER_ADDENDUM = {
    "ru": ("Номер заказа {order}, если что.", "Заказ №{order}.", "Забыл[|а] написать: заказ {order}."),
    "en": ("The order number is {order}.", "Order #{order}, by the way."),
}
NUDGES = {
    "ru": ("Есть новости?", "Подскажите, пожалуйста, когда ответите?", "Ау, есть кто-нибудь?", "Жду ответа."),
    "en": ("Any updates?", "Hello? Is anyone there?", "Still waiting for a reply."),
}
CUSTOMER_THANKS = {
    "ru": (
        "Спасибо большое!",
        "Спасибо, всё понятно.",
        "Отлично, спасибо за помощь!",
        "Спасибо 🙏",
        "Супер, спасибо за оперативность!",
        "[Понял|Поняла], спасибо.",
        "{op}, спасибо!",
        "Благодарю!",
    ),
    "en": (
        "Thank you so much!",
        "Thanks, that's clear.",
        "Great, thanks for your help!",
        "Thanks 🙏",
        "Perfect, thank you!",
        "Thanks {op}!",
    ),
}
OPERATOR_SIGNOFFS = {
    "ru": (
        "Рады помочь! Хорошего {daypart}.",
        "Пожалуйста, {name}! Если появятся вопросы — пишите, мы на связи.",
        "Всегда рады помочь 🙂",
        "Спасибо, что вы с нами! Хорошего {daypart}.",
    ),
    "en": (
        "Happy to help! Have a great {daypart}.",
        "You're welcome, {name}! Write any time.",
        "Always glad to help 🙂",
    ),
}
HANDOFF = {
    "ru": (
        "Передаю ваш вопрос коллегам из {dept_gen}, они ответят в ближайшее время.",
        "Этим занимаются коллеги из {dept_gen} — уже [передал|передала] им ваш вопрос, ответят совсем скоро.",
    ),
    "en": (
        "I'm passing your question to our {dept} team; they'll reply shortly.",
        "Our {dept} team handles this — I've passed your question on, they'll be in touch very soon.",
    ),
}
TRANSFER_NOTES = (
    "@{to} передаю клиента, суть вопроса в переписке выше.",
    "@{to} клиенту нужна консультация вашего отдела. Подхватишь?",
    "@{to} это к вам: клиент {full_name}, детали в переписке.",
    "Перевожу в {dept_acc}. @{to}, посмотри, пожалуйста.",
)
GENERIC_NOTES = (
    "@{sup} постоянный клиент, держу на контроле.",
    "@{colleague} если клиент напишет, пока меня нет, — ответь, пожалуйста, контекст выше.",
    "Клиент пишет не первый раз. @{sup} может, предложим компенсацию баллами?",
    "[Проверил|Проверила] в учётной системе, всё сходится.",
)
SUPERVISOR_NOTE_REPLIES = (
    "@{op_handle} да, всё верно 👍",
    "@{op_handle} согласовано.",
    "@{op_handle} спасибо, возьму на контроль.",
)
VIP_NOTES = ("@{sup} VIP-клиент, обращение в приоритете.",)
