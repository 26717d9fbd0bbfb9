"""The offline demo: the Kasane story of the seed, replayed through the real app over HTTP."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.payloads import Action, Form
from bot.demo.rig import Rig
from bot.demo.transcript import indent, render_message

CHANNEL = "C0KASANE"
START = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Delegate:
    user: str
    name: str
    delegation: str
    role: str


CHAIR = Delegate("U0BW01", "Lefoko (chair)", "Botswana", "participant")
DELEGATES = (
    CHAIR,
    Delegate("U0RU01", "Russian Federation", "Russian Federation", "participant"),
    Delegate("U0BY01", "Belarus", "Belarus", "participant"),
    Delegate("U0CF01", "CAR", "Central African Republic", "participant"),
    Delegate("U0KG01", "Kyrgyzstan", "Kyrgyzstan", "participant"),
    Delegate("U0ML01", "Mali", "Mali", "participant"),
    Delegate("U0UA01", "Ukraine", "Ukraine", "participant"),
    Delegate("U0EU01", "EU", "European Union", "participant"),
    Delegate("U0AU01", "Australia", "Australia", "participant"),
    Delegate("U0GB01", "UK", "United Kingdom", "participant"),
    Delegate("U0CA01", "Canada", "Canada", "participant"),
    Delegate("U0US01", "USA", "United States", "participant"),
    Delegate("U0CI01", "Côte d'Ivoire", "Côte d'Ivoire", "participant"),
    Delegate("U0CS01", "KPCSC", "KP Civil Society Coalition", "observer"),
    Delegate("U0WD01", "WDC", "World Diamond Council", "observer"),
)
BY_DELEGATION = {d.delegation: d for d in DELEGATES}
NAMES = {d.user: d.name for d in DELEGATES}


class Demo:
    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self._seen: dict[str, tuple[int, str]] = {}
        self._private_shown = 0

    async def say(self, who: Delegate, command: str, text: str) -> None:
        print(f"\n▶ {who.name} types: {command} {text}".rstrip())
        reply = await self.rig.command(command, text, user=who.user, channel=CHANNEL)
        shown = render_message(reply.text, reply.json.get("blocks", []), NAMES)
        print(indent(shown, "    (only you) "))
        self.show_channel_changes()

    def show_channel_changes(self) -> None:
        for message in self.rig.slack.channel_messages(CHANNEL):
            body = render_message(message.text, message.blocks, NAMES)
            before = self._seen.get(message.ts)
            if before is None:
                print("  # channel: Plenary posted")
            elif before[1] != body:
                print("  # channel: Plenary edited its message")
            else:
                continue
            print(indent(body, "  │ "))
            self._seen[message.ts] = (message.edits, body)

    async def press_object(self, who: Delegate, number: int, reason: str) -> None:
        """Press *Object* on the item's card, then fill in and submit the form."""
        card = next(
            m
            for m in self.rig.slack.channel_messages(CHANNEL)
            if m.text.startswith(f"#{number} tabled by")
        )
        value = next(
            e["value"]
            for b in card.blocks
            for e in b.get("elements", [])
            if e.get("action_id") == Action.OBJECT
        )
        print(f"\n▶ {who.name} presses [Object] on #{number}'s card")
        await self.rig.send(
            self.rig.signer.block_action(
                user_id=who.user, action_id=Action.OBJECT, value=value, channel_id=CHANNEL
            )
        )
        form = self.rig.slack.views_opened[-1]
        print(f"    (a form opens: {form['title']['text']}; they type the reason and submit)")
        await self.rig.submit(
            Form.OBJECTION,
            {"reason": {"type": "plain_text_input", "value": reason}},
            user=who.user,
            private_metadata=form["private_metadata"],
        )
        self.show_channel_changes()

    async def press_vote(self, who: Delegate, number: int, action: Action) -> None:
        """Press a ballot button (Yes, No or Abstain) on the item's vote card."""
        card = next(
            m
            for m in reversed(self.rig.slack.channel_messages(CHANNEL))
            if m.text.startswith(f"Vote on #{number}")
        )
        value = next(
            e["value"]
            for b in card.blocks
            for e in b.get("elements", [])
            if e.get("action_id") == action
        )
        label = {Action.VOTE_YES: "Yes", Action.VOTE_NO: "No", Action.VOTE_ABSTAIN: "Abstain"}
        print(f"\n▶ {who.name} presses [{label[action]}] on the vote card of #{number}")
        await self.rig.send(
            self.rig.signer.block_action(
                user_id=who.user, action_id=action, value=value, channel_id=CHANNEL
            )
        )
        await self.rig.settle()
        self.show_channel_changes()

    async def show_home(self, who: Delegate) -> None:
        print(f"\n══ {who.name} opens Plenary's Home tab ══")
        event = {"type": "app_home_opened", "user": who.user, "channel": "D0", "tab": "home"}
        await self.rig.send(self.rig.signer.event(event))
        await self.rig.settle()
        view = self.rig.slack.views_published[who.user]
        print(indent(render_message("", view["blocks"], NAMES), "  │ "))

    async def wait_until(self, moment: datetime, label: str) -> None:
        """Fast-forward the demo's clock and let the bot do what falls due meanwhile, exactly
        as its scheduler would: the same ``run_due`` call, at the moment it would run."""
        print(f"\n⏩ The demo moves its clock forward to {label}.")
        self.rig.clock.set(moment)
        await self.rig.plenary.timekeeper.run_due()
        await self.rig.settle()
        self.show_private_notices()
        self.show_channel_changes()

    def show_private_notices(self) -> None:
        """What the bot told someone privately on its own (a speaker's warning)."""
        told = self.rig.slack.ephemeral_messages
        for message in told[self._private_shown :]:
            who = NAMES.get(message.ephemeral_user or "", message.ephemeral_user)
            body = render_message(message.text, message.blocks, NAMES)
            print(indent(body, f"    (only {who}) "))
        self._private_shown = len(told)

    def show_whole_channel(self) -> None:
        print("\n══ The channel as a delegate reads it now ══")
        for message in self.rig.slack.channel_messages(CHANNEL):
            edited = " (edited)" if message.edits else ""
            print(f"\n  Plenary{edited}:")
            print(indent(render_message(message.text, message.blocks, NAMES), "  │ "))


async def debate_civil_society_item(demo: Demo) -> None:
    """The floor on #1: several requests, a point of order in the middle of a turn, a right
    of reply, and a speaker's time running out."""
    await demo.say(CHAIR, "/meeting", "set speaking-time 3m")
    await demo.say(CHAIR, "/meeting", "discuss 1")
    for name in ("KP Civil Society Coalition", "Russian Federation", "Ukraine", "European Union"):
        await demo.say(BY_DELEGATION[name], "/floor", "")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.wait_until(datetime(2026, 11, 2, 7, 46, tzinfo=UTC), "09:46")
    await demo.say(BY_DELEGATION["Belarus"], "/floor", "order")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.wait_until(datetime(2026, 11, 2, 7, 47, tzinfo=UTC), "09:47")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.say(BY_DELEGATION["Ukraine"], "/floor", "reply")
    await demo.wait_until(datetime(2026, 11, 2, 7, 50, 10, tzinfo=UTC), "09:50:10")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.wait_until(datetime(2026, 11, 2, 7, 52, 40, tzinfo=UTC), "09:52:40")
    await demo.wait_until(datetime(2026, 11, 2, 7, 53, 20, tzinfo=UTC), "09:53:20")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.wait_until(datetime(2026, 11, 2, 7, 55, tzinfo=UTC), "09:55")
    await demo.say(CHAIR, "/meeting", "floor next")
    await demo.wait_until(datetime(2026, 11, 2, 7, 56, tzinfo=UTC), "09:56")
    await demo.say(CHAIR, "/meeting", "discuss off")


async def vote_on_the_exclusion(demo: Demo) -> None:
    """The reform the Kasane reformers asked for: consensus first, then a two-thirds vote of
    those present and voting. The co-sponsored exclusion motion, blocked under consensus,
    goes to a recorded vote; the channel shows who voted how."""
    await demo.say(CHAIR, "/meeting", "set rule consensus-then-vote 2/3")
    await demo.say(CHAIR, "/meeting", "decide 2")  # blocked under consensus: a vote is offered
    await demo.say(CHAIR, "/meeting", "vote 2 majority 2/3 deadline: in 1h")
    await demo.say(BY_DELEGATION["Ukraine"], "/vote", "2 yes A participant at war cannot certify")
    await demo.press_vote(BY_DELEGATION["European Union"], 2, Action.VOTE_YES)
    for name in ("Australia", "United Kingdom", "Canada", "United States"):
        await demo.say(BY_DELEGATION[name], "/vote", "2 yes")
    await demo.say(
        BY_DELEGATION["Russian Federation"], "/vote", "2 no Political matters are outside the KP"
    )
    for name in ("Belarus", "Central African Republic", "Kyrgyzstan"):
        await demo.say(BY_DELEGATION[name], "/vote", "2 no")
    await demo.press_vote(BY_DELEGATION["Mali"], 2, Action.VOTE_NO)
    await demo.say(
        BY_DELEGATION["Côte d'Ivoire"], "/vote", "2 abstain The KP must stay a technical body"
    )
    await demo.say(CHAIR, "/meeting", "vote close 2")


async def play(rig: Rig) -> Demo:
    """Replay the story; the returned demo remembers what the transcript has shown."""
    demo = Demo(rig)
    print("Plenary offline demo: the KP Intersessional in Kasane, replayed.")
    print("The real app runs over HTTP with signed requests; Slack is a local stand-in.")
    await demo.say(CHAIR, "/meeting", "start KP Intersessional, Kasane")
    for d in DELEGATES:
        mention = f"<@{d.user}|{d.name.split()[0].lower()}>"
        await rig.command(
            "/meeting",
            f"delegation add {d.delegation} {d.role} {mention}",
            user=CHAIR.user,
            channel=CHANNEL,
        )
    print(f"\n▶ {CHAIR.name} registers {len(DELEGATES)} delegations (13 participants, 2 observers)")
    await demo.say(CHAIR, "/meeting", "delegations")
    await demo.say(CHAIR, "/meeting", "set timezone Africa/Gaborone")
    await demo.say(CHAIR, "/meeting", "set digest 08:00")
    await demo.say(CHAIR, "/meeting", "session add 2026-11-02 10:00 Opening plenary")

    kpcsc = BY_DELEGATION["KP Civil Society Coalition"]
    await demo.say(
        kpcsc,
        "/table-motion",
        "Add to the agenda: discuss whether Russian diamonds are funding the war in Ukraine"
        " session: 1",
    )
    await demo.say(kpcsc, "/object", "1 observers should be heard")
    reasons = {
        "Russian Federation": "Political matters are outside the KP's mandate",
        "Belarus": "Not a matter for the Kimberley Process",
        "Central African Republic": "",
        "Kyrgyzstan": "Outside the mandate",
        "Mali": "We support the Russian Federation's position",
    }
    for name, reason in reasons.items():
        await demo.say(BY_DELEGATION[name], "/object", f"#1 {reason}".rstrip())

    ukraine = BY_DELEGATION["Ukraine"]
    await demo.say(
        ukraine,
        "/table-motion",
        "Exclude the Russian Federation from this meeting cosponsors: European Union,"
        " Australia, United Kingdom, Canada, United States",
    )
    await demo.press_object(BY_DELEGATION["Belarus"], 2, "Participation is a right of every member")
    for name in ("Central African Republic", "Kyrgyzstan", "Mali"):
        await demo.say(BY_DELEGATION[name], "/object", "2 Participation is a right of every member")
    await demo.say(BY_DELEGATION["Kyrgyzstan"], "/object", "2")

    await demo.say(
        CHAIR,
        "/table-motion",
        "Adopt the report of the Working Group on Monitoring deadline: in 2h",
    )
    await demo.say(BY_DELEGATION["Côte d'Ivoire"], "/object", "3 We have not seen the annex")
    await demo.say(BY_DELEGATION["Côte d'Ivoire"], "/object", "withdraw 3")
    await demo.say(
        BY_DELEGATION["Côte d'Ivoire"],
        "/object",
        "3 reservation: We join consensus; the annex must be circulated before adoption",
    )

    await demo.wait_until(datetime(2026, 11, 2, 7, 45, tzinfo=UTC), "09:45 in Gaborone")
    await debate_civil_society_item(demo)
    await demo.show_home(BY_DELEGATION["Mali"])
    await demo.say(CHAIR, "/meeting", "decide 1")
    await vote_on_the_exclusion(demo)
    await demo.say(BY_DELEGATION["Mali"], "/meeting", "decide 3")
    await demo.wait_until(datetime(2026, 11, 2, 9, 31, tzinfo=UTC), "11:31, past #3's deadline")
    await demo.say(CHAIR, "/meeting", "agenda")
    await demo.wait_until(datetime(2026, 11, 3, 6, 0, tzinfo=UTC), "08:00 the next morning")
    demo.show_whole_channel()
    return demo


async def run_demo() -> int:
    with tempfile.TemporaryDirectory(prefix="plenary-demo-") as folder:
        async with Rig(f"sqlite:///{Path(folder) / 'demo.sqlite3'}", START) as rig:
            demo = await play(rig)
            # The same demo, so the transcript shows only what the record step changed.
            await demo.say(CHAIR, "/meeting", "record")
            for upload in rig.slack.uploads:
                print(f"\n══ Uploaded to the channel: {upload['filename']} ══")
                lines = upload["content"].decode().splitlines()
                print(indent("\n".join(lines[:24] + (["…"] if len(lines) > 24 else [])), "  │ "))
            calls = len(rig.slack.calls)
        print(f"\nDone: {calls} Web API calls to the local Slack stand-in; no network used.")
    return 0
