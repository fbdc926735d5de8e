"""Help center search: BM25 over Snowball stems, in memory, rebuilt when the help center changes.

- Text is split into words; each Cyrillic word is stemmed with Snowball's Russian stemmer and each
  Latin word with the English one (PyStemmer), so «вернуть», «верните», «вернул» meet, and a query
  in either language finds the article through its Russian or English version. Every word also
  adds a short prefix token (first letters), so derived words of one root meet («задержка»,
  «задерживается»); a small thesaurus (zabota.helpcenter.synonyms) links the words a customer
  uses to the words articles use («вернуть» → «возврат»).
- Ranking is bm25s (Okapi BM25) over one document per article and language; an article's score is
  its best language's, so each article appears once.
- A query word whose stem the index does not know is replaced by the nearest known stem within one
  or two edits (rapidfuzz, optimal string alignment), or read in the Russian keyboard layout when
  it was typed in the Latin one ("ljcnfdrf" → «доставка»).
- The index lives in the process. Before each query it reads the help center's revision stamp (one
  primary-key read) and rebuilds from the published articles when the stamp changed, so every
  process answers from the same data without a manual rebuild, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy.orm import Session

from zabota.helpcenter.content import plain_text
from zabota.helpcenter.models import HelpArticle
from zabota.helpcenter.queries import articles_by_id, current_stamp, list_articles
from zabota.helpcenter.synonyms import SYNONYMS

DEFAULT_LIMIT = 5
MAX_QUERY_LENGTH = 300
PREFIX_LENGTH = 5
TITLE_WEIGHT = 3  # title words count as if written this many times
PREFIX_MARK = "~"
SYNONYM_WEIGHT = 0.6
PREFIX_WEIGHT = 0.5
WEAK_WEIGHT = 0.3
MIN_TYPO_LENGTH = 5  # shorter words are too often other real words one edit away
LONG_STEM = 8  # stems this long may have two typos
SNIPPET_LENGTH = 220
TYPO_SHARE = 0.5  # how much a typo-corrected word counts as understood, for `confidence`

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")
# Only words that never tell a topic apart; question words ("где", "сколько") stay: BM25's IDF weighs them.
_STOPWORDS = frozenset(
    str.split(
        "и в во на с со к ко о об а но или ли же бы то у за из по от до для при я мне меня мы вы ты он она оно они "
        "это этот эта эти мой моя мое мои ваш ваша ваше ваши свой уже еще очень "
        "пожалуйста здравствуйте добрый привет подскажите скажите "
        "a an the and or of to in on at for with by from is are was were be been it its this that these those "
        "i me my we our you your he she they them please hello hi"
    )
)
# Question words: they tell little of the topic, but «где мой заказ» needs its «где».
_WEAK_WORDS = frozenset(
    str.split(
        "где как когда почему зачем сколько какой какая какие что чем можно ли нужно хочу надо есть нет не "
        "where how what when why which who much many can could do does did is are have has want need not no "
        "get got take make go"
    )
)
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LAYOUT = str.maketrans(_QWERTY, _JCUKEN)


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a lower-case word, by its script; digits and mixed words as they are."""
    if _CYRILLIC.search(word) and not _LATIN.search(word):
        return str(_stemmer("russian").stemWord(word))
    if _LATIN.search(word) and not _CYRILLIC.search(word):
        return str(_stemmer("english").stemWord(word))
    return word


def _prefix(word: str) -> str | None:
    return PREFIX_MARK + word[:PREFIX_LENGTH] if len(word) > PREFIX_LENGTH and not word.isdigit() else None


def analyze(text: str) -> list[str]:
    """Index tokens of a text: a stem and a root prefix per meaningful word."""
    tokens: list[str] = []
    for word in _words(text):
        if word in _STOPWORDS:
            continue
        tokens.append(stem(word))
        prefix = _prefix(word)
        if prefix:
            tokens.append(prefix)
    return tokens


@lru_cache(maxsize=1)
def _thesaurus() -> dict[str, frozenset[str]]:
    """Each stem and root prefix of the thesaurus → the stems of its group."""
    linked: dict[str, set[str]] = defaultdict(set)
    for group in SYNONYMS:
        words = [w for phrase in group for w in _words(phrase)]
        stems = {stem(w) for w in words}
        for word in words:
            for key in (stem(word), _prefix(word)):
                if key:
                    linked[key] |= stems
    return {key: frozenset(stems) for key, stems in linked.items()}


def synonyms_of(word: str) -> frozenset[str]:
    """Stems the thesaurus links to a word, found by its stem or else by its root prefix."""
    thesaurus = _thesaurus()
    word_stem = stem(word)
    found = thesaurus.get(word_stem)
    if found is None:
        prefix = _prefix(word)
        found = thesaurus.get(prefix, frozenset()) if prefix else frozenset()
    return found - {word_stem}


@dataclass(frozen=True)
class Hit:
    """One article found: its score (BM25, higher is better; not comparable across queries'
    lengths), a plain-text snippet in the asked language, and the language whose text matched best."""

    article: HelpArticle
    score: float
    snippet: str
    language: str


@dataclass
class _Document:
    article_id: int
    language: str
    lines: list[str]


@dataclass
class _Built:
    stamp: str
    documents: list[_Document] = field(default_factory=list)
    retriever: bm25s.BM25 | None = None
    vocabulary: dict[str, int] = field(default_factory=dict)
    stems: list[str] = field(default_factory=list)  # known stems, for typo correction
    texts: dict[tuple[int, str], list[str]] = field(default_factory=dict)


class SearchIndex:
    """One process's index of the published articles, kept in step with the database's stamp."""

    def __init__(self) -> None:
        self._built: _Built | None = None
        self._lock = threading.Lock()
        self.builds = 0  # how many times this index was (re)built: for tests and metrics

    def _fresh(self, session: Session) -> _Built:
        stamp = current_stamp(session)  # read before the articles: a racing edit means one more rebuild
        built = self._built
        if built is not None and built.stamp == stamp:
            return built
        with self._lock:
            built = self._built
            if built is None or built.stamp != stamp:
                built = self._build(session, stamp)
                self._built = built
                self.builds += 1
            return built

    def _build(self, session: Session, stamp: str) -> _Built:
        built = _Built(stamp)
        corpus: list[list[int]] = []
        for article in list_articles(session):
            for version in article.versions:
                lines = plain_text(version.body_html).splitlines()
                built.texts[(article.id, version.language)] = lines
                tokens = analyze(version.title) * TITLE_WEIGHT + analyze("\n".join(lines))
                built.documents.append(_Document(article.id, version.language, lines))
                corpus.append([built.vocabulary.setdefault(t, len(built.vocabulary)) for t in tokens])
        if corpus:
            retriever = bm25s.BM25()
            retriever.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=built.vocabulary), show_progress=False)
            built.retriever = retriever
        built.stems = [t for t in built.vocabulary if not t.startswith(PREFIX_MARK)]
        return built

    def query_terms(self, built: _Built, query: str) -> list[list[tuple[str, float]]]:
        """Per query word, the index tokens that stand for it with their weights: its stem, its
        thesaurus synonyms and its root prefix; after keyboard-layout and typo correction."""
        terms: list[list[tuple[str, float]]] = []
        for word, weight in _meaningful_words(query):
            variants = self._variants(built, word) or self._variants(built, self._switch_layout(word))
            if not variants:
                fixed = self._nearest_stem(built, word)
                variants = [(fixed, 1.0), *((s, SYNONYM_WEIGHT) for s in sorted(synonyms_of(fixed)))] if fixed else []
            known = [(token, weight * w) for token, w in variants if token in built.vocabulary]
            if known:
                terms.append(known)
        return terms

    @staticmethod
    def _variants(built: _Built, word: str) -> list[tuple[str, float]]:
        """The word's own forms the index knows: stem, synonyms, root prefix."""
        if not word:
            return []
        prefix = _prefix(word)
        variants = [(stem(word), 1.0), *((s, SYNONYM_WEIGHT) for s in sorted(synonyms_of(word)))]
        if prefix:
            variants.append((prefix, PREFIX_WEIGHT))
        return [(token, w) for token, w in variants if token in built.vocabulary]

    @staticmethod
    def _switch_layout(word: str) -> str:
        """A Russian word typed with the Latin layout on ("ljcnfdrf" → «доставка»); "" otherwise."""
        if not _LATIN.search(word) or _CYRILLIC.search(word):
            return ""
        switched = word.translate(_LAYOUT)
        return switched if not _LATIN.search(switched) else ""

    @staticmethod
    def _nearest_stem(built: _Built, word: str) -> str | None:
        """The known stem within one edit (two for long words) of the word's stem: a typo's fix."""
        word_stem = stem(word)
        if len(word) < MIN_TYPO_LENGTH or word.isdigit():
            return None
        limit = 1 if len(word_stem) < LONG_STEM else 2
        found = process.extractOne(word_stem, built.stems, scorer=OSA.distance, score_cutoff=limit)
        return str(found[0]) if found is not None else None

    def search(self, session: Session, query: str, language: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
        return self.search_with_confidence(session, query, language, limit)[0]

    def search_with_confidence(
        self, session: Session, query: str, language: str, limit: int = DEFAULT_LIMIT
    ) -> tuple[list[Hit], float]:
        """The hits and the confidence that the first one answers the query (see `confidence`)."""
        built = self._fresh(session)
        if built.retriever is None:
            return [], 0.0
        terms = self.query_terms(built, query)
        if not terms:
            return [], 0.0
        # A word scores by its best-matching form: the word itself beats a synonym or a root.
        retriever = built.retriever
        scores = np.zeros(len(built.documents))
        ceiling = 0.0  # the score of an article that were the best one for every query word
        for variants in terms:
            word_scores = np.max(
                [weight * np.asarray(retriever.get_scores([token])) for token, weight in variants], axis=0
            )
            scores += word_scores
            ceiling += float(word_scores.max())
        best: dict[int, tuple[float, str]] = {}
        for position in np.flatnonzero(scores > 0):
            document = built.documents[int(position)]
            score = float(scores[position])
            if score > best.get(document.article_id, (0.0, ""))[0]:
                best[document.article_id] = (score, document.language)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[: max(1, min(limit, 50))]
        articles = articles_by_id(session, [article_id for article_id, _ in ranked])
        wanted = {token for variants in terms for token, _ in variants}
        hits = []
        for article_id, (score, matched) in ranked:
            article = articles.get(article_id)
            if article is None:  # deleted since the index was built
                continue
            lines = built.texts.get((article_id, language)) or built.texts.get((article_id, matched), [])
            hits.append(Hit(article, round(score, 4), _snippet(lines, wanted), matched))
        if not hits:
            return [], 0.0
        words = _meaningful_words(query)
        known = sum(weight * self._known_share(built, word) for word, weight in words)
        asked = sum(weight for _, weight in words)
        return hits, confidence(hits[0].score, ceiling, known / asked if asked else 0.0)

    def _known_share(self, built: _Built, word: str) -> float:
        """1 for a word the index knows as written (or in the other keyboard layout), 0.5 for one
        it knows only after a typo fix (a guess), 0 for an unknown word."""
        if self._variants(built, word) or self._variants(built, self._switch_layout(word)):
            return 1.0
        return TYPO_SHARE if self._nearest_stem(built, word) else 0.0


def _meaningful_words(query: str) -> list[tuple[str, float]]:
    """The query's words that can tell a topic, with their weight (question words count less)."""
    return [
        (word, WEAK_WEIGHT if word in _WEAK_WORDS else 1.0)
        for word in _words(query[:MAX_QUERY_LENGTH])
        if word not in _STOPWORDS and len(word) > 1 and not (word.isdigit() and len(word) < 3)
    ]


def confidence(top_score: float, ceiling: float, coverage: float) -> float:
    """How sure we are that the first hit answers the query, from 0 to 1.

    `top_score / ceiling` is the first article's BM25 score normalised by the best score each
    query word reaches in any article (1.0: no article matches any of the words better);
    `coverage` is the weighted share of the query's meaningful words the help center knows at
    all, so a question mostly about something else ("weather tomorrow and delivery") scores low
    even when its one known word matches perfectly. Their product is comparable across queries
    of any length; the bot's threshold is calibrated on it (docs/adr/0005-first-line-bot.md).
    """
    if ceiling <= 0 or top_score <= 0:
        return 0.0
    return round(min(top_score / ceiling, 1.0) * max(0.0, min(coverage, 1.0)), 4)


def _snippet(lines: Iterable[str], wanted: set[str]) -> str:
    """The sentence that holds most of the query's words (or the first one), shortened."""
    sentences = [s.strip() for line in lines for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
    if not sentences:
        return ""
    best = max(sentences, key=lambda s: (len(wanted & set(analyze(s))), -sentences.index(s)))
    return best if len(best) <= SNIPPET_LENGTH else best[: SNIPPET_LENGTH - 1].rstrip() + "…"


_indexes: dict[str, SearchIndex] = {}
_indexes_lock = threading.Lock()


def index_for(session: Session) -> SearchIndex:
    """This process's index for the session's database."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _indexes_lock:
        return _indexes.setdefault(key, SearchIndex())


def search_articles(session: Session, query: str, language: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Published articles that answer `query`, best first, one hit per article.

    `language` ("ru" or "en") picks the snippet's language; the query may be in either. Used by
    the portal, the API, the widget's suggestions and the bot.
    """
    return index_for(session).search(session, query, language, limit)


def search_with_confidence(
    session: Session, query: str, language: str, limit: int = DEFAULT_LIMIT
) -> tuple[list[Hit], float]:
    """`search_articles` and the confidence (0..1, see `confidence`) that the first hit answers it."""
    return index_for(session).search_with_confidence(session, query, language, limit)
