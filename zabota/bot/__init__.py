"""The first-line bot: answers customers from the help center and hands off to people.

Configuration (per inbox, any channel type): `Inbox.settings["bot"]`, validated with the inbox
settings (zabota.bot.config): `{"enabled": bool, "threshold": float, "max_answers": 2,
"departments": {category slug: department id}}`.

Flow:

1. A new conversation on an inbox whose bot is enabled starts with `bot_state = "active"`
   (`Conversation.bot_state`: None | "active" | "handed_off" | "resolved"). While active it is
   not in the human queue: not in Mine / Unassigned / All / the counts / queue stats, not
   auto-assigned, no SLA clock (`conversations.models.in_human_queue`).
2. Each customer message of an active conversation enqueues the durable job `bot.respond`
   in the ingest transaction (dedupe key `bot:<message id>`); `actions.respond` handles a
   message at most once (a `bot_turns` row per message).
3. A request for a person (`intent.wants_a_person`) hands off; so does the message after
   `max_answers` answers, and one whose search confidence is below `threshold`. Otherwise
   the bot replies (author_kind "bot") with the article's title, a snippet and
   `/help/articles/<slug>?lang=<xx>`, in the customer's language.
4. `hand_off` starts the human wait (first-reply SLA and first response time count from then),
   moves the conversation to the department of the guessed topic and leaves a transcript note.

Interface for channels (the web chat widget):

* `queries.bot_offers_handoff(conversation) -> bool`: show the «Позвать оператора» /
  "Talk to a person" button (label: `gettext(actions.HANDOFF_LABEL, language)`) under the
  bot's messages (messages with `author_kind == "bot"`) while it is True. A bot message's
  `text` is complete plain text for any channel (it also says that writing «operator» works);
  its `html` is the rich form (linked title, quoted snippet, the offer; the last allowed answer
  makes the offer in bold).
* `actions.hand_off(session, conversation, *, reason="customer_request", actor=Actor("customer",
  customer_id))` when the button is pressed: True if handed off, False if the bot no longer
  had the conversation (a double click is harmless).
* `actions.confirm_answer(session, conversation, *, helpful, actor)` for "this helped / it did
  not" under an answer: helpful resolves the conversation (bot-resolved if the customer does not
  return within 24 h); not helpful hands off. Both record the article's help feedback.

Reasons of a hand-off: "customer_request", "low_confidence", "limit", "operator" (an operator
replied in a bot-active conversation: `conversations.actions.reply` hands off first).

Analytics events: `bot.answered` (article ids, confidence), `bot.handed_off` (reason, guess),
`bot.resolved`; `queries.bot_stats` and `GET /api/v1/bot/stats` sum them up.
See docs/adr/0005-first-line-bot.md for the confidence measure and its calibration.
"""
