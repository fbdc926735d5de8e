# ruff: noqa: E501  (article paragraphs are one line each, as Markdown is written)
"""The demo shop's help center: categories and articles in Russian and English.

Loaded by `zabota demo-data` (through the real actions, so they are audited and searchable) and
used by the search quality test (tests/helpcenter/search_queries.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.events.actions import Actor
from zabota.helpcenter.actions import ArticleText, create_article, create_category


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    title_ru: str
    title_en: str
    description_ru: str
    description_en: str


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    category: str
    title_ru: str
    body_ru: str
    title_en: str
    body_en: str


CATEGORIES = (
    DemoCategory("orders", "Заказы", "Orders", "Как оформить, изменить и отменить заказ.",
                 "Placing, changing and cancelling an order."),
    DemoCategory("payment", "Оплата", "Payment", "Способы оплаты, чеки и проблемы с оплатой.",
                 "Payment methods, receipts and payment problems."),
    DemoCategory("delivery", "Доставка", "Delivery", "Сроки, стоимость и задержки доставки, пункты выдачи.",
                 "Delivery times and costs, delays, pickup points."),
    DemoCategory("returns", "Возврат и обмен", "Returns and exchanges", "Как вернуть или обменять товар и получить деньги.",
                 "How to return or exchange an item and get your money back."),
    DemoCategory("warranty", "Гарантия и ремонт", "Warranty and repairs", "Гарантийные сроки, брак и сервисные центры.",
                 "Warranty periods, faulty goods and service centres."),
    DemoCategory("loyalty", "Бонусы и акции", "Bonuses and promotions", "Бонусные баллы, промокоды, подарочные карты.",
                 "Bonus points, promo codes, gift cards."),
    DemoCategory("account", "Личный кабинет", "Your account", "Регистрация, вход, личные данные и уведомления.",
                 "Sign-up, sign-in, personal data and notifications."),
)  # fmt: skip


ARTICLES = (
    # --- orders -------------------------------------------------------------------------------
    DemoArticle(
        "how-to-place-an-order", "orders",
        "Как оформить заказ",
        """Добавьте товары в корзину кнопкой «В корзину» и нажмите «Оформить заказ».

1. Укажите имя и номер телефона — на него придёт код подтверждения.
2. Выберите способ получения: курьер, пункт выдачи или самовывоз из магазина.
3. Выберите способ оплаты и нажмите «Подтвердить».

После оформления мы пришлём письмо и SMS с номером заказа. Следить за заказом можно в разделе «Мои заказы».""",
        "How to place an order",
        """Add items to the cart with the **Add to cart** button and press **Checkout**.

1. Enter your name and phone number: we send a confirmation code to it.
2. Choose how to receive the order: courier, pickup point or collection from a store.
3. Choose a payment method and press **Confirm**.

Once the order is placed we email and text you its number. You can follow it under **My orders**.""",
    ),
    DemoArticle(
        "guest-checkout", "orders",
        "Можно ли заказать без регистрации",
        """Да. Оформить заказ можно без пароля: достаточно номера телефона, на который придёт код.

Личный кабинет создаётся автоматически, и заказ появится в нём, когда вы войдёте по тому же номеру. Бонусные баллы за покупку тоже начислятся на этот номер.""",
        "Can I order without an account?",
        """Yes. You can check out without a password: a phone number that receives a code is enough.

An account is created for you automatically, and the order shows up in it when you sign in with the same number. Bonus points for the purchase go to that number too.""",
    ),
    DemoArticle(
        "change-an-order", "orders",
        "Как изменить заказ",
        """Пока заказ не передан в доставку, его можно изменить: добавить или убрать товары, поменять адрес, дату или способ получения.

Откройте заказ в разделе «Мои заказы» и нажмите «Изменить». Если кнопки нет, заказ уже собран — напишите нам в чат, и оператор попробует внести изменения.

Поменять способ оплаты после оплаты картой нельзя: отмените заказ и оформите новый.""",
        "How to change an order",
        """Until the order is handed to delivery you can change it: add or remove items, change the address, the date or how you receive it.

Open the order under **My orders** and press **Edit**. If there is no such button the order has already been packed: write to us in the chat and an operator will try to make the change.

You cannot change the payment method after paying by card: cancel the order and place a new one.""",
    ),
    DemoArticle(
        "cancel-an-order", "orders",
        "Как отменить заказ",
        """Отменить заказ можно в разделе «Мои заказы» кнопкой «Отменить», пока он не передан курьеру.

Если заказ уже в пути, откажитесь от него при получении или не забирайте из пункта выдачи — он вернётся к нам автоматически.

Деньги за оплаченный заказ вернутся на карту, с которой вы платили, обычно за 3–10 рабочих дней.""",
        "How to cancel an order",
        """You can cancel an order under **My orders** with the **Cancel** button until it is handed to the courier.

If the order is already on its way, refuse it at delivery or simply do not collect it from the pickup point: it comes back to us automatically.

Money for a prepaid order goes back to the card you paid with, usually within 3–10 business days.""",
    ),
    DemoArticle(
        "order-status", "orders",
        "Где мой заказ: как отследить статус",
        """Статус заказа виден в разделе «Мои заказы» и в приложении. Мы также присылаем SMS и письма при каждом изменении.

- **Принят** — заказ оформлен и ждёт сборки.
- **Собран** — товары упакованы на складе.
- **Передан в доставку** — у заказа появляется трек-номер для отслеживания.
- **Готов к выдаче** — заказ ждёт вас в пункте выдачи.

Если статус давно не меняется, посмотрите статью о задержке доставки.""",
        "Where is my order: tracking its status",
        """You can see the order status under **My orders** and in the app. We also text and email you on every change.

- **Accepted**: the order is placed and waits to be packed.
- **Packed**: the items are packed at the warehouse.
- **Handed to delivery**: the order gets a tracking number.
- **Ready for pickup**: the order is waiting for you at the pickup point.

If the status has not changed for a long time, see the article about delivery delays.""",
    ),
    DemoArticle(
        "missing-item", "orders",
        "В заказе не хватает товара",
        """Если при получении в заказе нет товара или пришёл не тот товар, сообщите курьеру или сотруднику пункта выдачи — можно не оплачивать и не забирать эту позицию.

Если вы обнаружили недостачу уже дома, напишите нам в течение 7 дней: приложите фото упаковки и чека. Мы довезём недостающий товар или вернём за него деньги.""",
        "An item is missing from my order",
        """If an item is missing or the wrong item arrived, tell the courier or the pickup point staff: you need not pay for or take that item.

If you notice something missing after you got home, write to us within 7 days with a photo of the packaging and the receipt. We will deliver the missing item or refund it.""",
    ),
    # --- payment ------------------------------------------------------------------------------
    DemoArticle(
        "payment-methods", "payment",
        "Способы оплаты",
        """Оплатить заказ можно:

- банковской картой на сайте или в приложении (Мир, Visa, Mastercard);
- через СБП по QR-коду;
- картой или наличными при получении у курьера и в пункте выдачи;
- бонусными баллами — до 30% стоимости заказа;
- подарочной картой магазина.

Для юридических лиц доступна оплата по счёту.""",
        "Payment methods",
        """You can pay for an order:

- by bank card on the website or in the app (Mir, Visa, Mastercard);
- through the Faster Payments System (SBP) with a QR code;
- by card or in cash on delivery, to the courier or at the pickup point;
- with bonus points, up to 30% of the order;
- with a store gift card.

Companies can pay by invoice.""",
    ),
    DemoArticle(
        "payment-failed", "payment",
        "Не проходит оплата картой",
        """Если оплата не прошла, проверьте:

- хватает ли денег на карте и не превышен ли лимит на покупки в интернете;
- правильно ли введены срок действия и CVC-код;
- подтвердили ли вы платёж кодом из SMS от банка.

Иногда банк отклоняет платёж из соображений безопасности — позвоните в банк по номеру на обороте карты. Заказ сохраняется на 30 минут: вы можете повторить оплату или выбрать оплату при получении.""",
        "Card payment does not go through",
        """If the payment failed, check that:

- there is enough money on the card and the online purchase limit is not exceeded;
- the expiry date and CVC code are entered correctly;
- you confirmed the payment with the code your bank texted you.

Sometimes a bank declines a payment for security reasons: call the bank at the number on the back of the card. The order is kept for 30 minutes, so you can try paying again or choose to pay on delivery.""",
    ),
    DemoArticle(
        "charged-twice", "payment",
        "Деньги списались дважды",
        """Иногда при повторной попытке оплаты банк блокирует сумму два раза. Вторая сумма — это не списание, а временная блокировка: банк снимет её сам в течение 3–5 рабочих дней.

Если через 5 рабочих дней деньги не вернулись на карту, напишите нам номер заказа и последние 4 цифры карты — мы проверим платёж и вернём лишнее.""",
        "I was charged twice",
        """When you retry a payment, the bank sometimes holds the amount twice. The second amount is not a charge but a temporary hold, and the bank releases it by itself within 3–5 business days.

If the money is not back on your card after 5 business days, send us the order number and the last 4 digits of the card: we will check the payment and refund the extra amount.""",
    ),
    DemoArticle(
        "installments", "payment",
        "Рассрочка и покупка в кредит",
        """Товары дороже 5 000 ₽ можно купить в рассрочку на 4, 6 или 12 месяцев без переплаты, а также в кредит через банк-партнёр.

Выберите «Рассрочка» на шаге оплаты и заполните короткую анкету — решение банк присылает за несколько минут. Первый платёж вносится в день оформления.""",
        "Instalments and buying on credit",
        """Items over 5,000 ₽ can be bought in 4, 6 or 12 interest-free instalments, or on credit through our partner bank.

Choose **Instalments** at the payment step and fill in a short application: the bank answers within minutes. The first payment is made on the day of the order.""",
    ),
    DemoArticle(
        "receipt", "payment",
        "Где взять чек",
        """Электронный чек приходит на почту или в SMS сразу после оплаты. Его также можно скачать в разделе «Мои заказы» — откройте заказ и нажмите «Чек».

При оплате курьеру или в пункте выдачи чек выдают на месте. Бумажный чек не нужен для возврата — достаточно номера заказа.""",
        "Where do I get a receipt?",
        """An electronic receipt is emailed or texted to you right after payment. You can also download it under **My orders**: open the order and press **Receipt**.

When you pay the courier or at the pickup point you get the receipt on the spot. You do not need a paper receipt to return an item: the order number is enough.""",
    ),
    DemoArticle(
        "invoice-for-companies", "payment",
        "Оплата для юридических лиц",
        """Компании и ИП могут оплатить заказ по безналичному расчёту. При оформлении выберите «Оплата по счёту» и укажите ИНН — реквизиты заполнятся автоматически.

Счёт действителен 3 банковских дня. Закрывающие документы (УПД) мы отправляем через ЭДО или вместе с заказом.""",
        "Paying as a company",
        """Companies and sole traders can pay by bank transfer. At checkout choose **Pay by invoice** and enter the tax number (INN): the company details fill in automatically.

The invoice is valid for 3 banking days. We send the closing documents through electronic document exchange or with the order.""",
    ),
    # --- delivery -----------------------------------------------------------------------------
    DemoArticle(
        "delivery-options", "delivery",
        "Способы и стоимость доставки",
        """Мы доставляем заказы по всей России.

| Способ | Срок | Стоимость |
|---|---|---|
| Курьер по Москве и Санкт-Петербургу | 1–2 дня | 299 ₽, бесплатно от 3 000 ₽ |
| Курьер в другие города | 2–7 дней | от 399 ₽ |
| Пункт выдачи | 1–5 дней | 99 ₽, бесплатно от 1 500 ₽ |
| Самовывоз из магазина | от 2 часов | бесплатно |

Точный срок и цену вы увидите при оформлении заказа после ввода адреса.""",
        "Delivery options and costs",
        """We deliver orders all over Russia.

| Option | Time | Cost |
|---|---|---|
| Courier in Moscow and Saint Petersburg | 1–2 days | 299 ₽, free over 3,000 ₽ |
| Courier to other cities | 2–7 days | from 399 ₽ |
| Pickup point | 1–5 days | 99 ₽, free over 1,500 ₽ |
| Collection from a store | from 2 hours | free |

You see the exact time and price at checkout once you enter the address.""",
    ),
    DemoArticle(
        "delivery-delay", "delivery",
        "Заказ опаздывает: задержка доставки",
        """Иногда сроки сдвигаются из-за погоды, загруженности службы доставки или праздников. Если заказ не приехал в обещанный день:

1. Проверьте статус и трек-номер в разделе «Мои заказы» — там указана новая дата.
2. Если дата не обновлялась больше двух дней, напишите нам в чат: мы свяжемся со службой доставки и узнаем, где посылка.

За каждый день опоздания по нашей вине мы начисляем 100 бонусных баллов. Если ждать больше не хотите, заказ можно отменить и получить деньги обратно.""",
        "My order is late: delivery delays",
        """Sometimes delivery dates slip because of weather, a busy carrier or holidays. If your order did not arrive on the promised day:

1. Check the status and the tracking number under **My orders**: the new date is shown there.
2. If the date has not been updated for more than two days, write to us in the chat: we will contact the carrier and find out where the parcel is.

For every day of delay caused by us we add 100 bonus points to your account. If you do not want to wait any longer, you can cancel the order and get your money back.""",
    ),
    DemoArticle(
        "courier-delivery", "delivery",
        "Как работает курьерская доставка",
        """Курьер звонит за час до приезда. Интервал доставки вы выбираете при оформлении: с 9 до 14, с 14 до 18 или с 18 до 22.

Перенести доставку на другой день или поменять интервал можно в «Моих заказах» до 20:00 накануне. Курьер ждёт 15 минут; если вас не будет дома, заказ может получить другой человек по номеру заказа.

При получении можно проверить внешний вид товара и комплектность.""",
        "How courier delivery works",
        """The courier calls an hour before arriving. You choose the time slot at checkout: 9–14, 14–18 or 18–22.

You can move the delivery to another day or change the slot under **My orders** until 8 pm the day before. The courier waits 15 minutes; if you are not at home, someone else can receive the order with its number.

You may check the items' appearance and completeness when you receive them.""",
    ),
    DemoArticle(
        "damaged-parcel", "delivery",
        "Посылка пришла повреждённой",
        """Если упаковка помята, порвана или мокрая, вскройте её при курьере или сотруднике пункта выдачи и проверьте товар.

Если товар повреждён, откажитесь от него — попросите составить акт, и мы бесплатно отправим замену или вернём деньги. Если повреждение обнаружилось позже, пришлите нам фото товара и упаковки в течение 3 дней.""",
        "The parcel arrived damaged",
        """If the packaging is dented, torn or wet, open it in front of the courier or the pickup point staff and check the item.

If the item is damaged, refuse it and ask for a damage report: we will send a replacement free of charge or refund you. If you find the damage later, send us photos of the item and the packaging within 3 days.""",
    ),
    DemoArticle(
        "pickup-points", "delivery",
        "Как получить заказ в пункте выдачи",
        """Когда заказ прибудет в пункт выдачи, мы пришлём SMS с кодом получения. Покажите код или назовите номер заказа и предъявите документ, удостоверяющий личность.

Адреса и часы работы пунктов выдачи есть на карте при оформлении заказа. Там же можно проверить товар и примерить одежду в примерочной.""",
        "Collecting an order from a pickup point",
        """When your order reaches the pickup point we text you a collection code. Show the code or tell the order number, and show an ID document.

Pickup point addresses and opening hours are on the map at checkout. You can check the items there and try clothes on in the fitting room.""",
    ),
    DemoArticle(
        "pickup-storage-period", "delivery",
        "Сколько хранится заказ в пункте выдачи",
        """Заказ хранится в пункте выдачи 7 дней. Срок можно один раз продлить ещё на 3 дня в разделе «Мои заказы».

Если не забрать заказ вовремя, он вернётся на склад и будет отменён. Деньги за оплаченный заказ вернутся на карту, а стоимость доставки не возвращается.""",
        "How long is an order kept at the pickup point?",
        """An order is kept at the pickup point for 7 days. You can extend this once by 3 more days under **My orders**.

If you do not collect the order in time, it goes back to the warehouse and is cancelled. The money for a prepaid order is refunded to the card, but the delivery fee is not.""",
    ),
    # --- returns ------------------------------------------------------------------------------
    DemoArticle(
        "return-policy", "returns",
        "Как вернуть товар",
        """Товар надлежащего качества можно вернуть в течение 14 дней после получения, если он не был в употреблении, сохранены товарный вид, ярлыки и упаковка.

1. В разделе «Мои заказы» нажмите «Вернуть товар» и укажите причину.
2. Принесите товар в любой пункт выдачи или магазин, либо вызовите курьера.
3. После проверки мы вернём деньги.

Некоторые товары вернуть нельзя: нижнее бельё, косметика во вскрытой упаковке, товары, изготовленные на заказ.""",
        "How to return an item",
        """You can return an item in good condition within 14 days of receiving it, if it has not been used and still has its tags and packaging.

1. Under **My orders** press **Return item** and give the reason.
2. Bring the item to any pickup point or store, or book a courier.
3. After checking the item we refund you.

Some items cannot be returned: underwear, opened cosmetics, made-to-order goods.""",
    ),
    DemoArticle(
        "refund", "returns",
        "Возврат денежных средств",
        """После того как мы приняли возврат или отменили заказ, деньги возвращаются тем же способом, которым вы платили:

- на банковскую карту — за 3–10 рабочих дней, срок зависит от вашего банка;
- через СБП — на тот же счёт, обычно в течение суток;
- при оплате наличными — на карту по заявлению или наличными в магазине;
- бонусные баллы, которыми была оплачена часть заказа, вернутся на бонусный счёт сразу.

Если срок прошёл, а средства не поступили, напишите нам номер заказа — мы пришлём справку о переводе из банка.""",
        "Refunds",
        """Once we accept a return or cancel an order, the money goes back the same way you paid:

- to a bank card within 3–10 business days, depending on your bank;
- through SBP to the same account, usually within a day;
- for cash payments, to a card on request or in cash at a store;
- bonus points used for part of the order return to your points balance at once.

If that time has passed and the money has not arrived, send us the order number and we will send you the bank's transfer confirmation.""",
    ),
    DemoArticle(
        "exchange", "returns",
        "Обмен товара на другой размер или цвет",
        """Не подошёл размер или цвет? Товар можно обменять в течение 14 дней.

Самый быстрый способ — оформить возврат и сразу заказать нужный вариант: деньги за первый заказ вернутся, а новый приедет, не дожидаясь проверки возврата. Также можно обменять товар в любом магазине сети, если нужный размер есть в наличии.""",
        "Exchanging an item for another size or colour",
        """Wrong size or colour? You can exchange the item within 14 days.

The quickest way is to start a return and order the right variant straight away: the first order is refunded and the new one comes without waiting for the return check. You can also exchange the item in any of our stores if the size you need is in stock.""",
    ),
    DemoArticle(
        "defective-item", "returns",
        "Товар оказался бракованным",
        """Если товар сломался или обнаружился заводской дефект, вы можете вернуть его, обменять на исправный или отдать в ремонт — в течение гарантийного срока.

Напишите нам или оформите возврат с причиной «Брак» и приложите фото или видео дефекта. Иногда нужна проверка качества в сервисном центре — до 20 дней. Доставку бракованного товара оплачиваем мы.""",
        "The item is faulty",
        """If the item broke or has a manufacturing defect, you can return it, exchange it for a working one or have it repaired, within the warranty period.

Write to us or start a return with the reason **Faulty** and attach a photo or video of the defect. Sometimes a quality check at a service centre is needed, taking up to 20 days. We pay for shipping a faulty item.""",
    ),
    # --- warranty -----------------------------------------------------------------------------
    DemoArticle(
        "warranty-terms", "warranty",
        "Гарантия на товары",
        """Гарантийный срок указан в карточке товара и в гарантийном талоне: обычно 12 месяцев для техники и 24 месяца для крупной бытовой техники. Гарантия начинается со дня получения заказа.

Для обращения по гарантии сохраните номер заказа или чек. Гарантия не распространяется на повреждения от падений, воды и неправильной эксплуатации.""",
        "Product warranty",
        """The warranty period is shown on the product page and in the warranty card: usually 12 months for electronics and 24 months for large household appliances. The warranty starts on the day you receive the order.

Keep the order number or the receipt for warranty claims. The warranty does not cover damage from drops, water or misuse.""",
    ),
    DemoArticle(
        "repair-service", "warranty",
        "Ремонт и сервисные центры",
        """Гарантийный ремонт выполняют авторизованные сервисные центры производителей. Адреса есть на сайте производителя и в гарантийном талоне.

Можно сдать технику в ремонт и через нас: принесите её в магазин или пункт выдачи, мы сами передадим её в сервис и сообщим, когда ремонт будет готов. Срок ремонта — до 45 дней.""",
        "Repairs and service centres",
        """Warranty repairs are done by the manufacturers' authorised service centres. Their addresses are on the manufacturer's website and in the warranty card.

You can also hand the device in for repair through us: bring it to a store or pickup point, we will pass it to the service centre and let you know when the repair is done. A repair takes up to 45 days.""",
    ),
    # --- loyalty ------------------------------------------------------------------------------
    DemoArticle(
        "bonus-points", "loyalty",
        "Бонусная программа: как начисляются баллы",
        """За каждую покупку мы начисляем бонусные баллы: 3% от суммы на уровне «Базовый», 5% на уровне «Серебро» и 7% на уровне «Золото». Уровень зависит от суммы покупок за год.

Баллы начисляются через 14 дней после получения заказа, когда закончится срок возврата. Один балл равен одному рублю. Баллы сгорают, если ими не пользоваться 12 месяцев.""",
        "Loyalty programme: how bonus points are earned",
        """You earn bonus points on every purchase: 3% of the amount at Basic level, 5% at Silver and 7% at Gold. Your level depends on how much you spent over the year.

Points are credited 14 days after you receive the order, when the return period is over. One point equals one rouble. Points expire if you do not use them for 12 months.""",
    ),
    DemoArticle(
        "spend-points", "loyalty",
        "Как потратить бонусные баллы",
        """Баллами можно оплатить до 30% стоимости заказа. На шаге оплаты включите переключатель «Списать баллы» — сумма к оплате уменьшится.

Баллы нельзя обменять на деньги и нельзя использовать вместе с некоторыми промокодами. Если вы вернёте товар, списанные за него баллы вернутся на бонусный счёт.""",
        "How to spend bonus points",
        """Points can pay for up to 30% of an order. At the payment step switch on **Use points** and the amount to pay goes down.

Points cannot be exchanged for money and cannot be combined with some promo codes. If you return an item, the points you spent on it go back to your balance.""",
    ),
    DemoArticle(
        "promo-codes", "loyalty",
        "Промокоды: как применить и почему не работает",
        """Введите промокод в корзине в поле «Промокод» и нажмите «Применить». Скидка отобразится в итоговой сумме.

Промокод может не сработать, если:

- истёк срок его действия;
- не выполнено условие — например, минимальная сумма заказа;
- товары в корзине не участвуют в акции или уже продаются со скидкой;
- промокод одноразовый и уже использован.

В одном заказе можно применить только один промокод.""",
        "Promo codes: applying one and why it may not work",
        """Enter the promo code in the cart in the **Promo code** field and press **Apply**. The discount shows in the total.

A promo code may not work if:

- it has expired;
- a condition is not met, such as the minimum order amount;
- the items in the cart are not part of the promotion or are already discounted;
- it is a single-use code that was already used.

Only one promo code can be used per order.""",
    ),
    DemoArticle(
        "birthday-bonus", "loyalty",
        "Подарок на день рождения",
        """Участникам бонусной программы мы дарим 500 баллов на день рождения. Они начисляются за 3 дня до праздника и действуют 14 дней.

Чтобы получить подарок, укажите дату рождения в личном кабинете. Изменить дату можно только через поддержку, не чаще раза в год.""",
        "Birthday gift",
        """Members of the loyalty programme get 500 points for their birthday. They are credited 3 days before the day and are valid for 14 days.

To get the gift, enter your date of birth in your account. The date can only be changed through support, at most once a year.""",
    ),
    DemoArticle(
        "refer-a-friend", "loyalty",
        "Приведи друга",
        """Поделитесь личной ссылкой из раздела «Приведи друга». Друг получит скидку 500 ₽ на первый заказ от 2 000 ₽, а вы — 500 бонусных баллов, когда друг получит этот заказ.

Пригласить можно до 20 друзей в год. Баллы не начисляются за заказы, оформленные на ваш собственный номер.""",
        "Refer a friend",
        """Share your personal link from the **Refer a friend** section. Your friend gets 500 ₽ off a first order over 2,000 ₽, and you get 500 bonus points when the friend receives that order.

You can invite up to 20 friends a year. No points are given for orders placed with your own phone number.""",
    ),
    DemoArticle(
        "gift-cards", "loyalty",
        "Подарочные карты",
        """Подарочные карты бывают электронные и пластиковые, номиналом от 1 000 до 50 000 ₽. Карта действует 1 год с момента покупки.

Чтобы оплатить заказ подарочной картой, введите её номер и PIN-код на шаге оплаты. Если сумма заказа больше баланса карты, разницу можно доплатить другим способом. Остаток на карте сохраняется до конца срока действия.""",
        "Gift cards",
        """Gift cards come as e-cards and plastic cards worth from 1,000 to 50,000 ₽. A card is valid for 1 year from purchase.

To pay with a gift card, enter its number and PIN at the payment step. If the order costs more than the card's balance, pay the difference another way. The remaining balance stays on the card until it expires.""",
    ),
    # --- account ------------------------------------------------------------------------------
    DemoArticle(
        "sign-in-problems", "account",
        "Не получается войти в личный кабинет",
        """Вход выполняется по номеру телефона и коду из SMS. Если код не приходит:

- проверьте, правильно ли указан номер;
- подождите 60 секунд и запросите код ещё раз;
- попробуйте получить код звонком — кнопка «Позвонить мне».

Если у вас сменился номер телефона, войти по старому не получится: напишите нам, и мы перенесём заказы и баллы на новый номер.""",
        "I cannot sign in to my account",
        """You sign in with your phone number and a code we text you. If the code does not arrive:

- check that the number is correct;
- wait 60 seconds and request the code again;
- get the code by a phone call instead, with the **Call me** button.

If your phone number has changed you cannot sign in with the old one: write to us and we will move your orders and points to the new number.""",
    ),
    DemoArticle(
        "change-personal-details", "account",
        "Как изменить телефон, email или адрес",
        """Имя, email, адреса доставки и дату рождения можно изменить в личном кабинете в разделе «Профиль».

Чтобы сменить номер телефона, нажмите «Изменить номер» и подтвердите новый номер кодом из SMS. Если доступа к старому номеру больше нет, напишите в поддержку — понадобится подтвердить личность.""",
        "How to change your phone, email or address",
        """You can change your name, email, delivery addresses and date of birth in your account under **Profile**.

To change your phone number, press **Change number** and confirm the new number with the code we text you. If you no longer have the old number, write to support: we will need to verify your identity.""",
    ),
    DemoArticle(
        "delete-account", "account",
        "Удаление аккаунта и персональных данных",
        """Вы можете удалить аккаунт в разделе «Профиль» → «Удалить аккаунт» или попросить об этом поддержку. Вместе с аккаунтом удаляются персональные данные, история заказов и бонусные баллы.

По закону мы храним сведения о покупках для бухгалтерии, но без привязки к вашему имени и контактам. Запрос выполняется в течение 30 дней.""",
        "Deleting your account and personal data",
        """You can delete your account under **Profile** → **Delete account**, or ask support to do it. Your personal data, order history and bonus points are deleted with the account.

By law we keep purchase records for accounting, but without your name or contact details. The request is completed within 30 days.""",
    ),
    DemoArticle(
        "notifications", "account",
        "Как отписаться от рассылок и уведомлений",
        """Чтобы не получать рекламные письма, нажмите «Отписаться» внизу любого письма. SMS и push-уведомления об акциях отключаются в разделе «Профиль» → «Уведомления».

Сообщения о статусе заказа и коды для входа мы присылаем всегда — отключить их нельзя.""",
        "Unsubscribing from newsletters and notifications",
        """To stop receiving marketing emails, click **Unsubscribe** at the bottom of any email. Promotional texts and push notifications are switched off under **Profile** → **Notifications**.

Order status messages and sign-in codes are always sent; they cannot be switched off.""",
    ),
    DemoArticle(
        "contact-support", "account",
        "Как связаться с поддержкой",
        """Мы на связи каждый день с 9:00 до 21:00 по московскому времени:

- чат на сайте и в приложении — отвечаем в среднем за 2 минуты;
- телефон 8 800 555-35-35, звонок бесплатный;
- почта help@zabota-shop.example;
- Telegram и ВКонтакте.

Ночью на вопросы отвечает бот, а оператор продолжит разговор утром.""",
        "How to contact support",
        """We are available every day from 9 am to 9 pm Moscow time:

- chat on the website and in the app, with an average reply in 2 minutes;
- phone 8 800 555-35-35, free of charge;
- email help@zabota-shop.example;
- Telegram and VK.

At night the bot answers questions and an operator continues the conversation in the morning.""",
    ),
)  # fmt: skip


def load_help_center(session: Session, actor: Actor, author: User | None = None) -> int:
    """Create the demo categories and publish every demo article; returns the article count."""
    categories = {}
    for position, spec in enumerate(CATEGORIES):
        categories[spec.slug] = create_category(
            session, actor, slug=spec.slug, title_ru=spec.title_ru, title_en=spec.title_en,
            description_ru=spec.description_ru, description_en=spec.description_en, position=position,
        )  # fmt: skip
    for position, article in enumerate(ARTICLES):
        create_article(
            session,
            actor,
            slug=article.slug,
            category_id=categories[article.category].id,
            versions={
                "ru": ArticleText(article.title_ru, article.body_ru),
                "en": ArticleText(article.title_en, article.body_en),
            },
            author=author,
            position=position,
            publish=True,
        )
    return len(ARTICLES)
