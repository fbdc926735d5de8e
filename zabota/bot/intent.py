"""Reading a customer's message: do they ask for a person, and which language do they write in."""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)

# Words that ask for a person on their own («оператор», "human please", "agent").
_ALONE = ("оператор", "operator", "human", "agent", "representative")
# Words that name a person, asking for one with a cue before them («позовите человека»,
# "talk to a person") but not otherwise («заказ получил другой человек»).
_PERSON = ("человек", "люд", "сотрудник", "специалист", "менеджер", "консультант", "person", "someone", "somebody",
           "people", "staff")  # fmt: skip
_CUES = (
    "позов", "позв", "позав", "соедин", "переключ", "перевед", "дайт", "дай", "нуж", "хоч", "жив", "настоящ", "реальн",
    "с", "со", "talk", "speak", "chat", "connect", "real", "live", "want", "need", "get", "transfer",
)  # fmt: skip
_CUE_WINDOW = 3  # a cue counts within this many words before the person word


def _normal_words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def _like(word: str, key: str) -> bool:
    """The word is a form of `key` (it starts with it), allowing one typo in the key part."""
    if word.startswith(key):
        return True
    if len(key) < 5 or len(word) < len(key) - 1:
        return False
    return any(OSA.distance(word[:size], key) <= 1 for size in (len(key) - 1, len(key), len(key) + 1))


def wants_a_person(text: str) -> bool:
    """The customer asks to talk to a person (ru or en), tolerating case, «ё», forms and one typo."""
    words = _normal_words(text)
    for position, word in enumerate(words):
        if any(_like(word, key) for key in _ALONE):
            return True
        if any(_like(word, key) for key in _PERSON):
            before = words[max(0, position - _CUE_WINDOW) : position]
            if any(w == cue or (len(cue) > 2 and w.startswith(cue)) for w in before for cue in _CUES):
                return True
    return False


# A message made only of these (and at most MAX_GREETING_WORDS words) is a greeting, not a question.
_GREETING_WORDS = (
    "здравствуйте", "здравствуй", "здрасте", "здрасьте", "привет", "приветствую", "добрый", "доброе", "доброй",
    "день", "вечер", "утро", "ночи", "всем", "алло", "хай", "hello", "hi", "hey", "hiya", "greetings", "good",
    "morning", "afternoon", "evening", "there", "all", "everyone",
)  # fmt: skip
MAX_GREETING_WORDS = 4


def is_greeting(text: str) -> bool:
    """«Здравствуйте!», "Hi there": a hello with no question in it (ru or en, one typo allowed)."""
    words = _normal_words(text)
    if not words or len(words) > MAX_GREETING_WORDS:
        return False
    return all(_greeting_word(word) for word in words)


def _greeting_word(word: str) -> bool:
    if word in _GREETING_WORDS:
        return True
    # A typo is forgiven only in long words («здраствуйте»): short ones are too easily other words.
    return len(word) >= 6 and any(_like(word, key) for key in _GREETING_WORDS if len(key) >= 6)


def detect_language(text: str, default: str = "ru") -> str:
    """ru or en by the alphabet most of the letters are written in; `default` with no letters."""
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if cyrillic == latin == 0:
        return default
    return "ru" if cyrillic >= latin else "en"
