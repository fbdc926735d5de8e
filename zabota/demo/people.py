"""The demo shop's staff, its catalogue, and the names its customers are made of."""

from __future__ import annotations

from dataclasses import dataclass

# --- staff ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    handle: str
    name: str
    name_en: str  # first name as an English-speaking customer reads it
    email: str
    role: str
    gender: str  # m | f
    departments: tuple[str, ...] = ()
    weight: float = 1.0  # share of the department's conversations this person takes
    capacity: int = 10


@dataclass(frozen=True)
class DepartmentSpec:
    key: str
    name: str
    description: str
    name_gen: str  # «из отдела продаж»
    name_en: str


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "support",
        "Поддержка",
        "Первая линия: доставка, оплата, заказы, бонусная программа, приложение.",
        "службы поддержки",
        "support",
    ),
    DepartmentSpec(
        "sales", "Продажи", "Консультации по товарам, наличию и размерам; заказы для юрлиц.", "отдела продаж", "sales"
    ),
    DepartmentSpec(
        "returns",
        "Возвраты и обмен",
        "Возвраты, обмены, брак и пересорт, выплаты за возвраты.",
        "отдела возвратов и обмена",
        "returns and exchanges",
    ),
)

ADMIN = StaffMember("pavel", "Павел Соколов", "Pavel", "admin@zabota.local", "admin", "m")
SUPERVISOR = StaffMember(
    "natalia",
    "Наталья Орлова",
    "Natalia",
    "natalia.orlova@zabota.local",
    "supervisor",
    "f",
    ("support", "sales", "returns"),
    capacity=5,
)
OPERATORS: tuple[StaffMember, ...] = (
    StaffMember("anna", "Анна Смирнова", "Anna", "anna.smirnova@zabota.local", "operator", "f", ("support",), 1.3, 12),
    StaffMember("dmitry", "Дмитрий Волков", "Dmitry", "dmitry.volkov@zabota.local", "operator", "m", ("support",), 1.1),
    StaffMember(
        "ekaterina", "Екатерина Морозова", "Ekaterina", "ekaterina.morozova@zabota.local", "operator", "f",
        ("support", "returns"), 1.0,
    ),
    StaffMember(
        "igor", "Игорь Лебедев", "Igor", "igor.lebedev@zabota.local", "operator", "m", ("support", "returns"), 0.8
    ),
    StaffMember(
        "maria", "Мария Кузнецова", "Maria", "maria.kuznetsova@zabota.local", "operator", "f", ("support", "sales"), 1.0
    ),
    StaffMember("alexey", "Алексей Попов", "Alexey", "alexey.popov@zabota.local", "operator", "m", ("sales",), 1.2, 15),
    StaffMember("olga", "Ольга Новикова", "Olga", "olga.novikova@zabota.local", "operator", "f", ("sales",), 1.0),
    StaffMember(
        "sergey", "Сергей Фёдоров", "Sergey", "sergey.fedorov@zabota.local", "operator", "m", ("returns",), 1.2
    ),
)  # fmt: skip
MARKETER = StaffMember("victoria", "Виктория Белова", "Victoria", "victoria.belova@zabota.local", "marketer", "f")
ANALYST = StaffMember("artem", "Артём Григорьев", "Artem", "artem.grigoriev@zabota.local", "analyst", "m")
STAFF: tuple[StaffMember, ...] = (ADMIN, SUPERVISOR, *OPERATORS, MARKETER, ANALYST)


@dataclass(frozen=True)
class InboxSpec:
    key: str
    name: str
    department: str
    id_prefix: str  # how the source names its customers
    subjects: bool  # a web form has a subject line; chats do not


INBOXES: tuple[InboxSpec, ...] = (
    InboxSpec("site", "Сайт магазина", "support", "site", subjects=True),
    InboxSpec("app", "Мобильное приложение", "support", "app", subjects=False),
    InboxSpec("marketplace", "Маркетплейс", "sales", "mp", subjects=True),
)
INBOX_SHARE = {"site": 0.45, "app": 0.37, "marketplace": 0.18}

# --- catalogue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    ru: str
    en: str
    price: int  # rubles
    sizes: tuple[str, ...] = ()
    defect_ru: str = "повреждён корпус"
    defect_en: str = "the casing is damaged"


SHOE_SIZES = ("38", "39", "40", "41", "42", "43", "44")
CLOTHES_SIZES = ("XS", "S", "M", "L", "XL", "XXL")

PRODUCTS: tuple[Product, ...] = (
    Product("Беспроводные наушники SoundPro X2", "SoundPro X2 wireless earbuds", 7990,
            defect_ru="левый наушник не заряжается", defect_en="the left earbud won't charge"),
    Product("Кофемашина BrewMaster 300", "BrewMaster 300 coffee machine", 32990,
            defect_ru="течёт вода из-под поддона", defect_en="water leaks from under the drip tray"),
    Product("Кроссовки AirStep Run", "AirStep Run sneakers", 8490, SHOE_SIZES,
            "отклеилась подошва", "the sole is coming off"),
    Product("Пуховик NordWind", "NordWind down jacket", 15990, CLOTHES_SIZES,
            "сломана молния", "the zipper is broken"),
    Product("Робот-пылесос CleanBot S7", "CleanBot S7 robot vacuum", 24990,
            defect_ru="не подключается к приложению", defect_en="it won't connect to the app"),
    Product("Смарт-часы Pulse 4", "Pulse 4 smartwatch", 12490,
            defect_ru="экран мерцает", defect_en="the screen flickers"),
    Product("Набор сковородок ChefLine", "ChefLine frying pan set", 5490,
            defect_ru="скол покрытия на большой сковороде", defect_en="the coating is chipped on the large pan"),
    Product("Увлажнитель воздуха AquaMist", "AquaMist humidifier", 4290,
            defect_ru="не включается", defect_en="it won't turn on"),
    Product("Рюкзак Urban 25 л", "Urban 25 L backpack", 3990,
            defect_ru="оторвалась лямка", defect_en="a strap came off"),
    Product("Конструктор BlockCity «Порт»", "BlockCity Harbour building set", 6990,
            defect_ru="не хватает деталей", defect_en="some pieces are missing"),
    Product("Электрическая зубная щётка SmileCare", "SmileCare electric toothbrush", 3490,
            defect_ru="не держит заряд", defect_en="it doesn't hold a charge"),
    Product("Постельное бельё «Лён», евро", "Linen bedding set, king size", 7490,
            defect_ru="пятно на пододеяльнике", defect_en="there's a stain on the duvet cover"),
    Product("Чайник Glass Steam", "Glass Steam kettle", 2990,
            defect_ru="трещина на колбе", defect_en="the glass is cracked"),
    Product("Фен AirStyle Pro", "AirStyle Pro hair dryer", 9990,
            defect_ru="пахнет гарью при включении", defect_en="it smells of burning when switched on"),
    Product("Коврик для йоги FlexMat", "FlexMat yoga mat", 2490,
            defect_ru="покрытие расслаивается", defect_en="the surface is peeling"),
    Product("Джинсы Straight Fit", "Straight Fit jeans", 4990, ("28", "30", "32", "34", "36"),
            "разошёлся шов", "a seam came apart"),
    Product("Худи Basic Cotton", "Basic Cotton hoodie", 3590, CLOTHES_SIZES,
            "дырка на рукаве", "there's a hole in the sleeve"),
    Product("Ботинки TrailMax", "TrailMax hiking boots", 11990, SHOE_SIZES,
            "протекают после первой прогулки", "they leak after the first walk"),
)  # fmt: skip

CARRIERS = (("СДЭК", "CDEK"), ("Boxberry", "Boxberry"), ("DPD", "DPD"), ("5Post", "5Post"))
HUBS = (("Подольске", "Podolsk"), ("Екатеринбурге", "Yekaterinburg"), ("Казани", "Kazan"),
        ("Новосибирске", "Novosibirsk"), ("Домодедове", "Domodedovo"))  # fmt: skip
PICKUP_POINTS = (
    ("Профсоюзной, 56", "Profsoyuznaya St 56"),
    ("Ленинском проспекте, 72", "Leninsky Ave 72"),
    ("Тверской, 18", "Tverskaya St 18"),
    ("Невском проспекте, 94", "Nevsky Ave 94"),
    ("Малышева, 31", "Malysheva St 31"),
    ("Баумана, 42", "Baumana St 42"),
)
SLOTS = (("с 9:00 до 13:00", "9 am–1 pm"), ("с 14:00 до 18:00", "2–6 pm"), ("с 18:00 до 22:00", "6–10 pm"))
PROMO_CODES = ("SPRING15", "WELCOME500", "ZABOTA10", "AUTUMN20", "FRIDAY700")
CITIES = (
    ("Москва", 34), ("Санкт-Петербург", 14), ("Екатеринбург", 5), ("Новосибирск", 5), ("Казань", 5),
    ("Нижний Новгород", 4), ("Краснодар", 4), ("Самара", 3), ("Ростов-на-Дону", 3), ("Воронеж", 3),
    ("Пермь", 2), ("Уфа", 2), ("Тюмень", 2), ("Калининград", 2), ("Сочи", 2),
)  # fmt: skip
CITIES_EN = (("Москва", 60), ("Санкт-Петербург", 25), ("Казань", 5), ("Сочи", 5), ("Калининград", 5))

# --- customers' names ----------------------------------------------------------------------------

RU_MALE = (
    "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
    "Никита", "Матвей", "Роман", "Егор", "Иван", "Павел", "Владимир", "Николай", "Евгений", "Олег",
    "Виктор", "Юрий", "Денис", "Антон", "Тимур", "Руслан", "Глеб", "Константин", "Григорий", "Степан",
)  # fmt: skip
RU_FEMALE = (
    "Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Екатерина", "Татьяна", "Светлана", "Юлия",
    "Анастасия", "Дарья", "Ксения", "Полина", "Виктория", "Алина", "Марина", "Вера", "Людмила", "Софья",
    "Елизавета", "Валерия", "Кристина", "Яна", "Галина", "Надежда", "Алёна", "Евгения", "Оксана", "Диана",
)  # fmt: skip
RU_SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
    "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
    "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
    "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев",
    "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов",
    "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов",
    "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников",
    "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов",
    "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Быков", "Маслов",
    "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Голубев", "Кудрявцев", "Прохоров",
    "Наумов", "Потапов", "Журавлёв", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров",
    "Емельянов", "Никифоров", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов",
    "Румянцев", "Акимов", "Горбунов", "Галкин", "Лукьянов", "Скворцов", "Юдин", "Нестеров", "Симонов", "Цветков",
    "Левин", "Воронов", "Аксёнов", "Мальцев", "Логинов", "Горшков", "Краснов", "Демидов", "Рыбаков", "Жданов",
    "Руденко", "Шевченко", "Ковальчук", "Бондаренко", "Литвиненко", "Вишневский", "Островский", "Добровольский",
)  # fmt: skip

EN_MALE = (
    "James", "Oliver", "Michael", "Daniel", "David", "Thomas", "Lucas", "Ethan", "Benjamin", "Samuel",
    "Mark", "Peter", "John", "Alex", "Marco", "Pierre", "Lukas", "Raj", "Ahmed", "Tom", "Chris", "Ryan",
)  # fmt: skip
EN_FEMALE = (
    "Emma", "Sophie", "Emily", "Charlotte", "Olivia", "Hannah", "Mia", "Grace", "Chloe", "Isabella",
    "Laura", "Sarah", "Kate", "Julia", "Aisha", "Sofia", "Lena", "Claire", "Amy", "Rachel",
)  # fmt: skip
EN_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
    "Martin", "Clarke", "Cooper", "Murphy", "Kelly", "Müller", "Rossi", "Garcia", "Patel", "Khan",
    "Novak", "Dubois", "Jensen", "Costa", "O'Brien", "Bennett",
)  # fmt: skip

# Fictional mail providers: demo data must never reach a real mailbox, even if someone connects
# an SMTP server and runs a campaign on a demo install.
EMAIL_DOMAINS_RU = (("mail.example", 30), ("yandex.example", 30), ("gmail.example", 18), ("bk.example", 6),
                    ("inbox.example", 6), ("icloud.example", 6), ("rambler.example", 4))  # fmt: skip
EMAIL_DOMAINS_EN = (("gmail.example", 45), ("outlook.example", 25), ("icloud.example", 15), ("proton.example", 10),
                    ("yahoo.example", 5))  # fmt: skip
RU_MOBILE_CODES = (
    "903", "905", "906", "909", "910", "912", "915", "916", "917", "919", "920", "921", "925", "926",
    "929", "950", "951", "952", "953", "960", "961", "977", "978", "985", "999",
)  # fmt: skip

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def translit(text: str) -> str:
    """Latin letters for a Russian name, the way people spell it in their email addresses."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def feminine_surname(surname: str) -> str:
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname  # Шевченко, Ковальчук
