"""The command reference: every usage line with who may use it, a summary and an example.

The single source of ``/meeting help``, the usage lines in error answers, README's command
table and ``manifest.yml``'s commands: the test suite fails when they drift apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    """Who may use a command; help lists each user the commands open to them."""

    ANYONE = "anyone"
    MEMBER = "delegation members"
    PARTICIPANT = "participant delegations"
    CHAIR = "chairs"


@dataclass(frozen=True)
class CommandDoc:
    usage: str
    summary: str
    audience: Audience
    example: str


COMMANDS: tuple[CommandDoc, ...] = (
    CommandDoc(
        "/meeting start <title>",
        "Make this channel a meeting; you become its chair.",
        Audience.ANYONE,
        "/meeting start KP Intersessional, Kasane",
    ),
    CommandDoc(
        "/meeting chair add <@user>",
        "Make another user a chair of this meeting.",
        Audience.CHAIR,
        "/meeting chair add @thabo",
    ),
    CommandDoc(
        "/meeting delegation add <name> participant|observer <@user> [<@user> …]",
        "Register a delegation with its members, or add members to it.",
        Audience.CHAIR,
        "/meeting delegation add Côte d'Ivoire participant @awa @koffi",
    ),
    CommandDoc(
        "/meeting delegation remove <name>",
        "Remove a delegation; its standing objections on open items lapse. Registering its"
        " name again brings the same delegation back, with its items and record.",
        Audience.CHAIR,
        "/meeting delegation remove Mali",
    ),
    CommandDoc(
        "/meeting delegations",
        "List the delegations with their roles and members.",
        Audience.ANYONE,
        "/meeting delegations",
    ),
    CommandDoc(
        "/meeting agenda",
        "Every item with its number, sponsor, status and standing objections.",
        Audience.ANYONE,
        "/meeting agenda",
    ),
    CommandDoc(
        "/meeting set timezone <IANA zone>",
        "Set the meeting's time zone, used for dates you type and digests.",
        Audience.CHAIR,
        "/meeting set timezone Africa/Gaborone",
    ),
    CommandDoc(
        "/meeting set window <duration>|off",
        "Give new items a default objection window (silence procedure), or none.",
        Audience.CHAIR,
        "/meeting set window 24h",
    ),
    CommandDoc(
        "/meeting set reminder <minutes>",
        "How long before each session its agenda reminder is posted (default 15).",
        Audience.CHAIR,
        "/meeting set reminder 30",
    ),
    CommandDoc(
        "/meeting set digest HH:MM|off",
        "Post a daily agenda digest at this local time, or stop it.",
        Audience.CHAIR,
        "/meeting set digest 08:00",
    ),
    CommandDoc(
        "/meeting session add <YYYY-MM-DD HH:MM> <title>",
        "Schedule a session (meeting time zone); its reminder goes out before it starts.",
        Audience.CHAIR,
        "/meeting session add 2026-11-03 09:00 Plenary II",
    ),
    CommandDoc(
        "/meeting session remove <n>",
        "Cancel a session; its open items stay on the agenda.",
        Audience.CHAIR,
        "/meeting session remove 2",
    ),
    CommandDoc(
        "/meeting sessions",
        "List the sessions with their start times.",
        Audience.ANYONE,
        "/meeting sessions",
    ),
    CommandDoc(
        "/meeting digest",
        "Show today's agenda digest now, only to you.",
        Audience.ANYONE,
        "/meeting digest",
    ),
    CommandDoc(
        "/meeting set rule consensus|consensus-minus <n>|blocking-minority <fraction>",
        "Set a rule that counts objections. Under consensus one standing participant"
        " objection blocks; under consensus-minus n it takes n+1; under blocking-minority 1/3"
        " an item is blocked only when more than a third of the registered participant"
        " delegations object. Silence counts as not objecting; observers never count.",
        Audience.CHAIR,
        "/meeting set rule blocking-minority 1/3",
    ),
    CommandDoc(
        "/meeting set rule vote <p/q> [of present-and-voting|of present|of members]",
        "Decide items by vote: a chair opens one with `/meeting vote`, by this majority"
        " unless it names another; `/meeting decide` is refused.",
        Audience.CHAIR,
        "/meeting set rule vote 2/3 of present-and-voting",
    ),
    CommandDoc(
        "/meeting set rule consensus-then-vote <p/q> [of present-and-voting|of present|of members]",
        "Consensus first; an item blocked under consensus goes to a vote by this majority"
        " (`/meeting vote`) rather than being excised, unless a chair excises it with"
        " `/meeting decide <item> excise`.",
        Audience.CHAIR,
        "/meeting set rule consensus-then-vote 2/3",
    ),
    CommandDoc(
        "/meeting set quorum <n>|off",
        "Require n participant delegations registered present before anything is decided.",
        Audience.CHAIR,
        "/meeting set quorum 30",
    ),
    CommandDoc(
        "/meeting present",
        "Register your delegation's attendance (counts toward the quorum).",
        Audience.MEMBER,
        "/meeting present",
    ),
    CommandDoc(
        "/meeting absent",
        "Withdraw your delegation's attendance when it leaves (it no longer counts toward"
        " the quorum).",
        Audience.MEMBER,
        "/meeting absent",
    ),
    CommandDoc(
        "/meeting whatif <item>",
        "The item's outcome under the meeting's rule and under every other standard rule.",
        Audience.ANYONE,
        "/meeting whatif 2",
    ),
    CommandDoc(
        "/meeting agenda propose [deadline: <when>]",
        "Circulate the provisional agenda (the open items) for objection until the deadline;"
        " items blocked under the rule are excised and the adopted agenda is announced.",
        Audience.CHAIR,
        "/meeting agenda propose deadline: in 2h",
    ),
    CommandDoc(
        "/meeting record",
        "Upload the record of the meeting so far (Markdown and CSV) to the channel.",
        Audience.CHAIR,
        "/meeting record",
    ),
    CommandDoc(
        "/meeting decide <item> [confirm|excise]",
        "Close an open item now and announce the outcome. A modification of an item that"
        " another modification already superseded is decided only with `confirm`; under"
        " consensus-then-vote an item blocked under consensus is excised only with `excise`.",
        Audience.CHAIR,
        "/meeting decide 3",
    ),
    CommandDoc(
        "/meeting vote <item> [majority <p/q>] [of present-and-voting|of present|of members]"
        " [secret] [deadline: <when>]",
        "Open a vote on an open item: by the meeting's vote rule unless you name a majority,"
        " else a simple majority of present and voting; recorded unless `secret`. While it is"
        " open the item's own deadline does not decide it.",
        Audience.CHAIR,
        "/meeting vote 3 majority 2/3 of present-and-voting deadline: in 2h",
    ),
    CommandDoc(
        "/meeting vote close <item>",
        "Close the item's vote now: it is counted and the result announced.",
        Audience.CHAIR,
        "/meeting vote close 3",
    ),
    CommandDoc(
        "/meeting vote cancel <item>",
        "Discard the item's open vote (on record as cancelled); the item stays open.",
        Audience.CHAIR,
        "/meeting vote cancel 3",
    ),
    CommandDoc(
        "/meeting discuss <item>|off",
        "Put an open item under discussion with a fresh list of speakers, or end the debate.",
        Audience.CHAIR,
        "/meeting discuss 1",
    ),
    CommandDoc(
        "/meeting floor next",
        "End the turn under way and give the floor to the next speaker in order.",
        Audience.CHAIR,
        "/meeting floor next",
    ),
    CommandDoc(
        "/meeting floor give <delegation>",
        "Give the floor to a delegation out of order (on record as such).",
        Audience.CHAIR,
        "/meeting floor give Ukraine",
    ),
    CommandDoc(
        "/meeting floor close|open",
        "Close the list of speakers to new ordinary requests (points of order and replies"
        " are still taken), or open it again.",
        Audience.CHAIR,
        "/meeting floor close",
    ),
    CommandDoc(
        "/meeting set speaking-time <duration>|off",
        "Limit each turn, such as 3m or 90s; the speaker is told 30 seconds before the end.",
        Audience.CHAIR,
        "/meeting set speaking-time 3m",
    ),
    CommandDoc(
        "/meeting screen [rotate]",
        "Get the private link to the room's screen: a full-screen live view of the item under"
        " discussion, the speakers and each outcome. `rotate` issues a new link and the old one"
        " stops working at once.",
        Audience.CHAIR,
        "/meeting screen",
    ),
    CommandDoc(
        "/meeting publish on|off|rotate",
        "Publish the meeting's record as a read-only web page (off by default): the agenda,"
        " every position and decision, and the record files. `off` takes it down at once;"
        " `rotate` gives it a new link.",
        Audience.CHAIR,
        "/meeting publish on",
    ),
    CommandDoc(
        "/meeting help",
        "Show the commands open to you.",
        Audience.ANYONE,
        "/meeting help",
    ),
    CommandDoc(
        "/table-motion <text> [deadline: <when>] [session: <n>] [cosponsors: <name>, …]"
        " [amends: <item>]",
        "Table an item for your delegation; you get its number. A deadline"
        " (`YYYY-MM-DD HH:MM` in the meeting's zone, or `in 45m`, `in 2h`, `in 3d`) closes it"
        " by silence procedure: adopted unless an objection stands. `amends:` tables a"
        " modified version of an open or blocked item, linked both ways. A keyword not"
        " followed by its value (`deadline: see annex`) stays part of the text.",
        Audience.MEMBER,
        "/table-motion Exclude the Russian Federation cosponsors: European Union, Canada",
    ),
    CommandDoc(
        "/table-motion",
        "With no text: open a form with title, text, deadline, co-sponsors and session.",
        Audience.MEMBER,
        "/table-motion",
    ),
    CommandDoc(
        "/meeting withdraw <item>",
        "Take an open item off the agenda (its sponsor delegation or a chair).",
        Audience.MEMBER,
        "/meeting withdraw 4",
    ),
    CommandDoc(
        "/object <item> [reason]",
        "Register your delegation's objection, which blocks the item under consensus.",
        Audience.PARTICIPANT,
        "/object 3 Outside the mandate of this meeting",
    ),
    CommandDoc(
        "/object <item> reservation: <statement>",
        "Join consensus but put a reservation on record; it never blocks.",
        Audience.MEMBER,
        "/object 3 reservation: We read paragraph 2 as non-binding",
    ),
    CommandDoc(
        "/object <item> stand-aside: <statement>",
        "Stand aside (disassociate) on record; it never blocks.",
        Audience.MEMBER,
        "/object 3 stand-aside: We take no part in this decision",
    ),
    CommandDoc(
        "/object withdraw <item>",
        "Withdraw your delegation's objection, reservation, stand-aside or co-sponsorship"
        " while the item is open.",
        Audience.MEMBER,
        "/object withdraw 3",
    ),
    CommandDoc(
        "/floor",
        "Ask for the floor for your delegation on the item under discussion; you get your"
        " place in the list.",
        Audience.MEMBER,
        "/floor",
    ),
    CommandDoc(
        "/floor order",
        "Raise a point of order: heard before every ordinary request, even when the list"
        " is closed.",
        Audience.MEMBER,
        "/floor order",
    ),
    CommandDoc(
        "/floor reply",
        "Ask for a right of reply, heard after the list; at most two per delegation per item.",
        Audience.MEMBER,
        "/floor reply",
    ),
    CommandDoc(
        "/floor withdraw",
        "Withdraw your delegation's requests for the floor.",
        Audience.MEMBER,
        "/floor withdraw",
    ),
    CommandDoc(
        "/floor list",
        "Show the list of speakers, only to you.",
        Audience.ANYONE,
        "/floor list",
    ),
    CommandDoc(
        "/floor help",
        "Show the commands open to you.",
        Audience.ANYONE,
        "/floor help",
    ),
    CommandDoc(
        "/vote <item> yes|no|abstain [explanation]",
        "Cast or change your delegation's ballot on the item's open vote; the last ballot of"
        " any member counts. Only you are told how your delegation voted.",
        Audience.PARTICIPANT,
        "/vote 3 no We cannot support exclusion",
    ),
    CommandDoc(
        "/vote help",
        "Show the commands open to you.",
        Audience.ANYONE,
        "/vote help",
    ),
)

SLASH_COMMANDS: tuple[str, ...] = ("/meeting", "/table-motion", "/object", "/floor", "/vote")


@functools.cache
def usage_of(prefix: str) -> str:
    """The usage line(s) of the commands starting with ``prefix``, for error answers
    (remembered: parsers ask for theirs on every request, before they know of an error)."""
    lines = [c.usage for c in COMMANDS if c.usage == prefix or c.usage.startswith(prefix + " ")]
    return "\n".join(f"`{line}`" for line in lines)
