"""The default confidence threshold against questions the demo help center answers and ones it does not.

Positives: tests/helpcenter/search_queries.yaml (64 customer questions with their article).
Negatives: off_topic_queries.yaml (26 messages with no article). Run with -s to see the table;
docs/adr/0005-first-line-bot.md records the figures the default was chosen from.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from zabota.bot.config import DEFAULT_THRESHOLD
from zabota.helpcenter.search import search_with_confidence

HERE = Path(__file__).parent
POSITIVES = HERE.parent / "helpcenter" / "search_queries.yaml"
NEGATIVES = HERE / "off_topic_queries.yaml"


def test_the_default_threshold_answers_most_questions_and_few_others(db, demo_help):
    positives = yaml.safe_load(POSITIVES.read_text(encoding="utf-8"))
    negatives = yaml.safe_load(NEGATIVES.read_text(encoding="utf-8"))
    right, wrong, off = [], [], []
    with db.transaction() as session:
        for case in positives:
            hits, confidence = search_with_confidence(session, case["q"], "ru", 1)
            (right if hits and hits[0].article.slug == case["slug"] else wrong).append(confidence)
        for query in negatives:
            off.append(search_with_confidence(session, query, "ru", 1)[1])
    print(f"\n{'threshold':>9} {'right answered':>15} {'wrong answered':>15} {'off-topic answered':>19}")
    for threshold in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        counts = [sum(c >= threshold for c in group) for group in (right, wrong, off)]
        print(
            f"{threshold:>9.2f} {counts[0]:>8}/{len(right):<6} {counts[1]:>8}/{len(wrong):<6}"
            f" {counts[2]:>12}/{len(off)}"
        )
    answered_right = sum(c >= DEFAULT_THRESHOLD for c in right) / len(right)
    answered_off = sum(c >= DEFAULT_THRESHOLD for c in off) / len(off)
    answered = [c >= DEFAULT_THRESHOLD for c in right + wrong + off]
    precision = sum(c >= DEFAULT_THRESHOLD for c in right) / sum(answered)
    print(
        f"default {DEFAULT_THRESHOLD}: answers {answered_right:.2f} of the questions the search gets right, "
        f"{answered_off:.2f} of the off-topic ones; {precision:.2f} of its answers quote the right article"
    )
    assert answered_right >= 0.85
    assert answered_off <= 0.1
    assert precision >= 0.85
