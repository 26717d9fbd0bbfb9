"""What the bot must never do, checked after every hostile request: send a ping nobody
meant, post what Slack refuses, or leave the record half-written or over a limit."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.commands.payloads import Form
from bot.demo.fake_slack.server import ApiCall
from bot.demo.rig import Reply
from tests.support.hostile_input import VICTIM

UNEXPECTED = "Plenary hit an unexpected problem"  # the answer of handlers/errors.py to a crash

BROADCASTS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam")
BARE_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)  # no word joiner
POSTING = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
        "views.update",
        "views.push",
        "files.completeUploadExternal",
    }
)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner)


def pings(texts: Iterable[str], *, users: bool) -> list[str]:
    """Every broadcast (and, with ``users``, every mention of the victim) in ``texts``."""
    found = []
    for text in texts:
        tokens = (*BROADCASTS, f"<@{VICTIM}") if users else BROADCASTS
        found += [token for token in tokens if token in text]
        found += [m.group(0) for m in BARE_BROADCAST.finditer(text)]
    return found


def assert_posts_are_safe(calls: list[ApiCall]) -> None:
    for call in calls:
        if call.method not in POSTING:
            continue
        assert call.response.get("ok") is True, (call.method, call.response)
        shown = [call.params.get(key) for key in ("text", "blocks", "view", "initial_comment")]
        assert pings(strings_in(shown), users=True) == [], call.method


def assert_answer_pings_nobody(payload: Any) -> None:
    # A private answer may name users the bot resolved itself (a new chair, new members),
    # but never broadcasts.
    assert pings(strings_in(payload), users=False) == []


ZERO_ROWS = {
    "an item without its card notice": """
        SELECT count(*) FROM items i WHERE NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.item_id = i.id AND n.kind = 'item-card')""",
    "a position without its item": """
        SELECT count(*) FROM positions WHERE item_id NOT IN (SELECT id FROM items)""",
    "a position of another meeting's delegation": """
        SELECT count(*) FROM positions p JOIN items i ON i.id = p.item_id
            JOIN delegations d ON d.id = p.delegation_id WHERE d.meeting_id != i.meeting_id""",
    "a member of another meeting's delegation": """
        SELECT count(*) FROM members m JOIN delegations d ON d.id = m.delegation_id
            WHERE d.meeting_id != m.meeting_id""",
    "a decided item without its decision": """
        SELECT count(*) FROM items WHERE status IN ('adopted', 'blocked')
            AND id NOT IN (SELECT item_id FROM decisions)""",
    "a decision on an undecided item": """
        SELECT count(*) FROM decisions d JOIN items i ON i.id = d.item_id
            WHERE i.status NOT IN ('adopted', 'blocked')""",
    "a withdrawn item without its notice": """
        SELECT count(*) FROM items i WHERE i.status = 'withdrawn' AND NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.item_id = i.id AND n.kind = 'withdrawn')""",
    "a meeting without a chair": """
        SELECT count(*) FROM meetings WHERE id NOT IN (SELECT meeting_id FROM chairs)""",
    "a meeting without its start notice": """
        SELECT count(*) FROM meetings m WHERE NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.meeting_id = m.id AND n.kind = 'meeting-started')""",
    "a gap or clash in item numbers": """
        SELECT count(*) FROM meetings m WHERE next_item_number - 1 !=
            (SELECT count(DISTINCT number) FROM items WHERE meeting_id = m.id)
            OR next_item_number - 1 !=
            (SELECT coalesce(max(number), 0) FROM items WHERE meeting_id = m.id)""",
    "a notice Slack refused or that is still owed": """
        SELECT count(*) FROM notices
            WHERE delivered_revision < revision OR last_error IS NOT NULL""",
    "a motion longer than 2,000 characters": "SELECT count(*) FROM items WHERE length(text) > 2000",
    "a motion title longer than 150": "SELECT count(*) FROM items WHERE length(title) > 150",
    "a reason or statement longer than 500": """
        SELECT count(*) FROM positions WHERE length(statement) > 500""",
    "a delegation name longer than 80": "SELECT count(*) FROM delegations WHERE length(name) > 80",
    "two delegations of one name in a meeting": """
        SELECT count(*) FROM (SELECT 1 FROM delegations GROUP BY meeting_id, name_key
            HAVING count(*) > 1)""",
    "a meeting title longer than 150": "SELECT count(*) FROM meetings WHERE length(title) > 150",
    "a session title longer than 150": "SELECT count(*) FROM sessions WHERE length(title) > 150",
}


def flaws(database: Path) -> dict[str, int]:
    """How many rows show each flaw; integrity and foreign keys are checked outright."""
    # The file is the subject: its integrity, and rows no port lists (ended, orphaned, owed).
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {what: int(conn.execute(sql).fetchone()[0]) for what, sql in ZERO_ROWS.items()}


# Python's own words leaking into an answer: an exception's text shown instead of a sentence.
PYTHON_SPEAKING = ("invalid literal for", "Traceback", "object has no attribute", "NoneType")


def assert_clear_command_answer(reply: Reply, command: str, made: list[ApiCall]) -> None:
    if reply.raw == "":
        # Only /table-motion without text answers by opening its form instead.
        assert command == "/table-motion"
        assert [c.params["view"]["callback_id"] for c in made if c.method == "views.open"] == [
            Form.TABLING
        ]
        return
    assert reply.ephemeral
    assert reply.text.strip()
    assert not [words for words in PYTHON_SPEAKING if words in reply.text], reply.text
    assert_answer_pings_nobody(reply.json)
