"""Who may do what: every command, button and form, tried by every role, allowed or refused as
DOMAIN.md and README say; a refusal is a private answer and changes nothing at all."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from bot.commands.payloads import Action, Form, ItemRef, MeetingRef
from bot.commands.reference import COMMANDS
from bot.demo.fake_slack.server import ApiCall
from bot.demo.rig import Rig
from bot.demo.signing import FORM
from tests.support.answers import expect_ok
from tests.support.backends import POSTGRES, backends_of
from tests.support.cast import CHAIR, KPCSC, OUTSIDER, RUSSIA, UKRAINE, convene
from tests.support.state import snapshot

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "C0MEETING"
BOTSWANA = "U0BW"  # a chair who also speaks for a delegation


@dataclass(frozen=True)
class Role:
    name: str
    user: str
    team: str | None = None  # None: the meeting's own workspace
    channel: str = CHANNEL


CHAIR_ONLY = Role("chair", CHAIR)
CHAIR_DELEGATE = Role("chair in a delegation", BOTSWANA)
PARTICIPANT = Role("participant", RUSSIA)
OBSERVER = Role("observer", KPCSC)
NOBODY = Role("user in no delegation", OUTSIDER)
# The participant's own user id, but the request comes from elsewhere.
OTHER_WORKSPACE = Role("user from another workspace", RUSSIA, team="T0OTHER")
OTHER_CHANNEL = Role("user in another channel", RUSSIA, channel="C0ELSEWHERE")
ROLES = [CHAIR_ONLY, CHAIR_DELEGATE, PARTICIPANT, OBSERVER, NOBODY, OTHER_WORKSPACE, OTHER_CHANNEL]

CHAIRS = frozenset({CHAIR_ONLY, CHAIR_DELEGATE})
PARTICIPANTS = frozenset({CHAIR_DELEGATE, PARTICIPANT})
MEMBERS = PARTICIPANTS | {OBSERVER}
IN_CHANNEL = CHAIRS | MEMBERS | {NOBODY}
OUTSIDE = frozenset({OTHER_WORKSPACE, OTHER_CHANNEL})
EVERYONE = IN_CHANNEL | OUTSIDE
# Forms and the Home tab carry no channel in Slack's payload: a delegate submits a form or
# presses a Home button from wherever they are, so "another channel" cannot apply to them.
ANYWHERE = frozenset({OTHER_CHANNEL})


@dataclass(frozen=True)
class Row:
    """One thing a user can do, and who may do it."""

    usage: str  # the COMMANDS usage line, the button's action or the form's callback
    allowed: frozenset[Role]
    command: str = ""
    text: str = ""
    action: Action | None = None
    value: str = ""
    form: Form | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    changes: bool = True  # when allowed: does the record change?
    opens: Form | None = None  # when allowed: the form it opens instead

    @property
    def name(self) -> str:
        return f"{self.command} {self.text}".strip() or f"{self.action or self.form} {self.value}"


def item(number: int) -> str:
    return ItemRef(1, number).pack()  # one meeting per database here: item ids are numbers


TABLE_MOTION = (
    "/table-motion <text> [deadline: <when>] [session: <n>] [cosponsors: <name>, …]"
    " [amends: <item>]"
)

# In order: each row acts on its own item, delegation or session, so an allowed row never
# decides the fate of a later one.
TABLE = [
    Row("/meeting delegations", IN_CHANNEL, "/meeting", "delegations", changes=False),
    Row("/meeting agenda", IN_CHANNEL, "/meeting", "agenda", changes=False),
    Row("/meeting sessions", IN_CHANNEL, "/meeting", "sessions", changes=False),
    Row("/meeting digest", IN_CHANNEL, "/meeting", "digest", changes=False),
    Row("/meeting help", EVERYONE, "/meeting", "help", changes=False),
    Row("/meeting whatif <item>", IN_CHANNEL, "/meeting", "whatif 7", changes=False),
    Row("/meeting chair add <@user>", CHAIRS, "/meeting", "chair add <@U0NEWCHAIR|new>"),
    Row(
        "/meeting delegation add <name> participant|observer <@user> [<@user> …]",
        CHAIRS,
        "/meeting",
        "delegation add Niger participant <@U0NE|ne>",
    ),
    Row(
        "/meeting delegation add <name> participant|observer <@user> [<@user> …]",
        CHAIRS,
        "/meeting",
        "delegation add Mali participant <@U0ML2|ml2>",
    ),
    Row("/meeting delegation remove <name>", CHAIRS, "/meeting", "delegation remove Belarus"),
    Row("/meeting set timezone <IANA zone>", CHAIRS, "/meeting", "set timezone Africa/Gaborone"),
    Row("/meeting set window <duration>|off", CHAIRS, "/meeting", "set window 24h"),
    Row("/meeting set reminder <minutes>", CHAIRS, "/meeting", "set reminder 30"),
    Row("/meeting set digest HH:MM|off", CHAIRS, "/meeting", "set digest 08:00"),
    Row(
        "/meeting session add <YYYY-MM-DD HH:MM> <title>",
        CHAIRS,
        "/meeting",
        "session add 2026-11-07 09:00 Plenary IV",
    ),
    Row("/meeting session remove <n>", CHAIRS, "/meeting", "session remove 2"),
    Row(
        "/meeting set rule vote <p/q> [of present-and-voting|of present|of members]",
        CHAIRS,
        "/meeting",
        "set rule vote 2/3",
    ),
    Row(
        "/meeting set rule consensus-then-vote <p/q> [of present-and-voting|of present|of members]",
        CHAIRS,
        "/meeting",
        "set rule consensus-then-vote 2/3 of members",
    ),
    # Last: the rows below decide items, which a rule that counts objections allows.
    Row(
        "/meeting set rule consensus|consensus-minus <n>|blocking-minority <fraction>",
        CHAIRS,
        "/meeting",
        "set rule blocking-minority 1/3",
    ),
    Row("/meeting set quorum <n>|off", CHAIRS, "/meeting", "set quorum 3"),
    Row("/meeting set quorum <n>|off", CHAIRS, "/meeting", "set quorum off"),  # decide below
    # Attendance counts participant delegations toward the quorum; observers never count.
    Row("/meeting present", PARTICIPANTS, "/meeting", "present"),
    Row("/meeting absent", PARTICIPANTS, "/meeting", "absent"),
    Row(
        TABLE_MOTION,
        MEMBERS,
        "/table-motion",
        "Adopt the report",
    ),
    Row(
        TABLE_MOTION,
        MEMBERS,
        "/table-motion",
        "Adopt the annex deadline: in 2h session: 1 cosponsors: Mali",
    ),
    Row(TABLE_MOTION, MEMBERS, "/table-motion", "Adopt the item, as modified amends: 9"),
    Row("/table-motion", MEMBERS, "/table-motion", "", changes=False, opens=Form.TABLING),
    Row("/table-motion help", EVERYONE, "/table-motion", "help", changes=False),
    Row("/object <item> [reason]", PARTICIPANTS, "/object", "6 Outside the mandate"),
    Row("/object withdraw <item>", MEMBERS, "/object", "withdraw 7"),
    Row(
        "/object <item> reservation: <statement>",
        MEMBERS,
        "/object",
        "6 reservation: We read it narrowly",
    ),
    Row(
        "/object <item> stand-aside: <statement>",
        MEMBERS,
        "/object",
        "6 stand-aside: We take no part",
    ),
    Row("/object help", EVERYONE, "/object", "help", changes=False),
    Row(
        Action.OBJECT,
        PARTICIPANTS,
        action=Action.OBJECT,
        value=item(6),
        changes=False,
        opens=Form.OBJECTION,
    ),
    Row(
        Action.STATE_POSITION,
        MEMBERS,
        action=Action.STATE_POSITION,
        value=item(6),
        changes=False,
        opens=Form.POSITION,
    ),
    Row(Action.WITHDRAW_OBJECTION, MEMBERS, action=Action.WITHDRAW_OBJECTION, value=item(8)),
    Row(Action.COSPONSOR, MEMBERS, action=Action.COSPONSOR, value=item(9)),
    Row(Action.DECIDE, CHAIRS, action=Action.DECIDE, value=item(10)),
    Row(
        Action.TABLE,
        MEMBERS | ANYWHERE,
        action=Action.TABLE,
        value=MeetingRef(1).pack(),
        changes=False,
        opens=Form.TABLING,
    ),
    Row(
        Form.OBJECTION,
        PARTICIPANTS | ANYWHERE,
        form=Form.OBJECTION,
        value=item(6),
        fields={"reason": {"value": "Given in the form"}},
    ),
    Row(
        Form.POSITION,
        MEMBERS | ANYWHERE,
        form=Form.POSITION,
        value=item(6),
        fields={
            "kind": {"selected_option": {"value": "reservation"}},
            "statement": {"value": "Stated in the form"},
        },
    ),
    Row(
        Form.TABLING,
        MEMBERS | ANYWHERE,
        form=Form.TABLING,
        value=MeetingRef(1).pack(),
        fields={"title": {"value": "From the form"}, "text": {"value": "Tabled by form."}},
    ),
    # The floor: item 6 is under discussion and Ukraine (no role here) waits on its list.
    Row("/floor", MEMBERS, "/floor", ""),
    Row("/floor order", MEMBERS, "/floor", "order"),
    Row("/floor reply", MEMBERS, "/floor", "reply"),
    Row("/floor list", IN_CHANNEL, "/floor", "list", changes=False),
    Row("/floor help", EVERYONE, "/floor", "help", changes=False),
    Row("/meeting floor next", CHAIRS, "/meeting", "floor next"),
    Row("/meeting floor give <delegation>", CHAIRS, "/meeting", "floor give Ukraine"),
    Row(Action.FLOOR_NEXT, CHAIRS, action=Action.FLOOR_NEXT, value=MeetingRef(1).pack()),
    Row("/floor withdraw", MEMBERS, "/floor", "withdraw"),
    Row(Action.FLOOR_REQUEST, MEMBERS, action=Action.FLOOR_REQUEST, value=MeetingRef(1).pack()),
    Row(Action.FLOOR_WITHDRAW, MEMBERS, action=Action.FLOOR_WITHDRAW, value=MeetingRef(1).pack()),
    Row("/meeting floor close|open", CHAIRS, "/meeting", "floor close"),
    Row("/meeting floor close|open", CHAIRS, "/meeting", "floor open"),
    Row("/meeting set speaking-time <duration>|off", CHAIRS, "/meeting", "set speaking-time 3m"),
    Row("/meeting discuss <item>|off", CHAIRS, "/meeting", "discuss off"),
    Row("/meeting discuss <item>|off", CHAIRS, "/meeting", "discuss 6"),
    Row("/meeting decide <item> [confirm|excise]", CHAIRS, "/meeting", "decide 1"),
    # Votes: 11, 12, 13 and 15 have a vote open; 14 has none.
    Row("/vote <item> yes|no|abstain [explanation]", PARTICIPANTS, "/vote", "11 yes Our reasons"),
    Row("/vote help", EVERYONE, "/vote", "help", changes=False),
    Row(Action.VOTE_YES, PARTICIPANTS, action=Action.VOTE_YES, value=item(11)),
    Row(Action.VOTE_NO, PARTICIPANTS, action=Action.VOTE_NO, value=item(11)),
    Row(Action.VOTE_ABSTAIN, PARTICIPANTS, action=Action.VOTE_ABSTAIN, value=item(11)),
    Row(
        "/meeting vote <item> [majority <p/q>] [of present-and-voting|of present|of members]"
        " [secret] [deadline: <when>]",
        CHAIRS,
        "/meeting",
        "vote 14 majority 2/3 of present secret deadline: in 2h",
    ),
    Row("/meeting vote close <item>", CHAIRS, "/meeting", "vote close 12"),
    Row("/meeting vote cancel <item>", CHAIRS, "/meeting", "vote cancel 13"),
    Row(Action.VOTE_CLOSE, CHAIRS, action=Action.VOTE_CLOSE, value=item(15)),
    Row("/meeting withdraw <item>", CHAIRS, "/meeting", "withdraw 2"),  # Ukraine's
    Row("/meeting withdraw <item>", CHAIRS | {PARTICIPANT}, "/meeting", "withdraw 3"),
    Row("/meeting withdraw <item>", CHAIRS | {OBSERVER}, "/meeting", "withdraw 4"),
    Row("/meeting withdraw <item>", CHAIRS, "/meeting", "withdraw 5"),  # Botswana's
    Row("/meeting record", CHAIRS, "/meeting", "record"),
    Row("/meeting screen [rotate]", CHAIRS, "/meeting", "screen"),
    Row("/meeting screen [rotate]", CHAIRS, "/meeting", "screen rotate"),
    Row("/meeting publish on|off|rotate", CHAIRS, "/meeting", "publish on"),
    Row("/meeting publish on|off|rotate", CHAIRS, "/meeting", "publish rotate"),
    Row("/meeting publish on|off|rotate", CHAIRS, "/meeting", "publish off"),
    Row("/meeting agenda propose [deadline: <when>]", CHAIRS, "/meeting", "agenda propose"),
    # Last: where no meeting is yet anyone may start one, and then chairs it.
    Row("/meeting start <title>", OUTSIDE, "/meeting", "start Another meeting"),
]


def test_the_table_covers_every_command_button_and_form() -> None:
    assert {c.usage for c in COMMANDS} <= {row.usage for row in TABLE}
    assert set(Action) <= {row.action for row in TABLE}
    assert set(Form) <= {row.form for row in TABLE}


def test_every_command_subcommand_button_and_form_is_exercised_on_postgresql_too() -> None:
    # The end-to-end tests run on PostgreSQL as a chosen subset (tests/support/backends.py):
    # this table, tried by every role, is how the subset reaches every slash command in
    # manifest.yml, every usage /meeting help lists, every button and every form, each
    # allowed to some role, so each one's service reads and writes PostgreSQL.
    whole_table = (
        test_every_command_button_and_form_is_allowed_or_refused_for_each_role_as_the_rules_say
    )
    assert POSTGRES in backends_of(whole_table)
    declared = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    slash_commands = {c["command"] for c in declared["features"]["slash_commands"]}
    assert slash_commands <= {row.command for row in TABLE if row.allowed}
    assert {c.usage for c in COMMANDS} <= {row.usage for row in TABLE if row.allowed}
    assert set(Action) <= {row.action for row in TABLE if row.allowed}
    assert set(Form) <= {row.form for row in TABLE if row.allowed}


def test_each_role_is_exactly_one_of_the_roles_the_domain_names() -> None:
    assert len(ROLES) == len({(r.user, r.team, r.channel) for r in ROLES}) == 7
    assert frozenset(ROLES) == EVERYONE


async def convene_with_items(rig: Rig) -> None:
    """Kasane, with Botswana's delegate made a chair, two sessions and an item per row."""
    await convene(rig)
    for text in (
        f"chair add <@{BOTSWANA}|bw>",
        f"delegation add Botswana participant <@{BOTSWANA}|bw>",
        "session add 2026-11-05 09:00 Plenary II",
        "session add 2026-11-06 09:00 Plenary III",
    ):
        await expect_ok(rig, "/meeting", text, user=CHAIR)
    for sponsor, text in (
        (UKRAINE, "To be decided by command"),  # 1
        (UKRAINE, "Ukraine's item, to withdraw"),  # 2
        (RUSSIA, "Russia's item, to withdraw"),  # 3
        (KPCSC, "The coalition's item, to withdraw"),  # 4
        (BOTSWANA, "Botswana's item, to withdraw"),  # 5
        (UKRAINE, "Open for positions"),  # 6
        (UKRAINE, "Objections to withdraw by command"),  # 7
        (UKRAINE, "Objections to withdraw by button"),  # 8
        (UKRAINE, "To co-sponsor"),  # 9
        (UKRAINE, "To be decided by button"),  # 10
        (UKRAINE, "To vote on"),  # 11
        (UKRAINE, "Its vote to close by command"),  # 12
        (UKRAINE, "Its vote to cancel"),  # 13
        (UKRAINE, "To put to a vote"),  # 14
        (UKRAINE, "Its vote to close by button"),  # 15
    ):
        await expect_ok(rig, "/table-motion", text, user=sponsor)
    for number in (11, 12, 13, 15):
        await expect_ok(rig, "/meeting", f"vote {number}", user=CHAIR)
    for user in (RUSSIA, BOTSWANA):
        await expect_ok(rig, "/object", "7 Not yet", user=user)
        await expect_ok(rig, "/object", "8 Not yet", user=user)
    for number in (7, 8):  # the observer has a position to withdraw too
        await expect_ok(rig, "/object", f"{number} reservation: Noted", user=KPCSC)
    await expect_ok(rig, "/meeting", "discuss 6", user=CHAIR)
    await expect_ok(rig, "/floor", "", user=UKRAINE)
    for serial, user in enumerate((CHAIR, BOTSWANA, RUSSIA, KPCSC, OUTSIDER)):
        home = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
        assert (await rig.send(rig.signer.event(home, event_id=f"EvHome{serial}"))).status == 200
    await rig.settle()


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    private: bool  # the answer went to the caller alone
    opened: list[str]  # callback ids of the forms opened
    calls: list[ApiCall]


async def attempt(rig: Rig, role: Role, row: Row, serial: int) -> Outcome:
    before = len(rig.slack.calls)
    if row.command:
        reply = await rig.command(
            row.command, row.text, user=role.user, channel=role.channel, team=role.team
        )
        made = rig.slack.calls[before:]
        opened = [str(c.params["view"].get("callback_id")) for c in made if "view" in c.params]
        if reply.raw == "":  # the answer is the form it opened
            return Outcome(bool(opened), True, opened, made)
        return Outcome(":warning:" not in reply.raw, reply.ephemeral, opened, made)
    if row.form is not None:
        reply = await rig.submit(
            row.form, row.fields, user=role.user, private_metadata=row.value, team=role.team
        )
        refused = reply.raw != "" and reply.json.get("response_action") == "errors"
        return Outcome(reply.raw == "", reply.raw == "" or refused, [], rig.slack.calls[before:])
    assert row.action is not None
    key = f"press-{serial}"
    if row.action is Action.TABLE:
        reply = await rig.send(home_press(rig, role, row.action, row.value))
    else:
        reply = await rig.send(
            rig.signer.block_action(
                user_id=role.user,
                action_id=row.action,
                value=row.value,
                channel_id=role.channel,
                team_id=role.team,
                response_key=key,
            )
        )
    await rig.settle()
    assert reply.status == 200
    made = rig.slack.calls[before:]
    views = [c.params["view"] for c in made if c.method == "views.open"]
    opened = [str(v["callback_id"]) for v in views if v.get("callback_id")]
    answers = rig.slack.responses.get(key, []) + [v for v in views if not v.get("callback_id")]
    warned = ":warning:" in json.dumps(answers)
    private = all(a.get("response_type", "ephemeral") == "ephemeral" for a in answers)
    return Outcome(bool(opened) or (bool(answers) and not warned), private, opened, made)


def home_press(rig: Rig, role: Role, action: Action, value: str) -> Any:
    """A button on the Home tab: no channel and no response_url in the payload."""
    team = role.team or rig.signer.team_id
    payload = {
        "type": "block_actions",
        "user": {"id": role.user, "team_id": team},
        "team": {"id": team},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "1.2.home",
        "api_app_id": "A0PLENARY",
        "view": {"id": "V1", "type": "home"},
        "actions": [{"action_id": action, "block_id": "b", "value": value, "type": "button"}],
    }
    return rig.signer.sign(urlencode({"payload": json.dumps(payload)}), FORM)


SPEAKS = (
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name.replace(" ", "-"))
async def test_every_command_button_and_form_is_allowed_or_refused_for_each_role_as_the_rules_say(
    rig: Rig, role: Role
) -> None:
    await convene_with_items(rig)
    # Every place a role acts from: a meeting started there is a change too.
    places = sorted({(r.team or rig.signer.team_id, r.channel) for r in ROLES})
    wrong: list[str] = []
    for serial, row in enumerate(TABLE):
        before = await snapshot(rig, *places)
        outcome = await attempt(rig, role, row, serial)
        expected = role in row.allowed
        changed = await snapshot(rig, *places) != before
        said = [c.method for c in outcome.calls if c.method in SPEAKS]
        if outcome.allowed is not expected:
            verdict = "allowed, though forbidden" if outcome.allowed else "refused, though allowed"
            wrong.append(f"{row.name}: {verdict}")
        elif not expected:
            if not outcome.private:
                wrong.append(f"{row.name}: refused, but not privately")
            if changed:
                wrong.append(f"{row.name}: refused, but the record changed")
            if said or outcome.opened:
                wrong.append(f"{row.name}: refused, but the bot called {said + outcome.opened}")
        else:
            if changed is not row.changes:
                wrong.append(
                    f"{row.name}: allowed, but the record {'did' if changed else 'did not'} change"
                )
            if row.opens is not None and outcome.opened != [row.opens]:
                wrong.append(f"{row.name}: allowed, but opened {outcome.opened}")
            if not outcome.private:
                wrong.append(f"{row.name}: answered in public")
    assert not wrong, "\n".join(wrong)
