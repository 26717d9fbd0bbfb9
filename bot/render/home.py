"""The App Home tab's view: each of the user's meetings, its open items, what to do next; pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.commands.payloads import Action, ItemRef, MeetingRef
from bot.domain.model import Delegation, HomeMeeting, Item
from bot.domain.rules import PositionKind
from bot.domain.text import escape, truncate
from bot.domain.votes import Ballot, HomeVote
from bot.render.blocks import context, is_blocked, links, section, when
from bot.render.floor import home_lines
from bot.render.votes import ballot_buttons

MAX_HOME_BLOCKS = 100
STANCE = {
    PositionKind.OBJECTION: ":no_entry: you object",
    PositionKind.RESERVATION: ":memo: reservation on record",
    PositionKind.STAND_ASIDE: ":raised_hand: standing aside",
    PositionKind.SUPPORT: ":handshake: co-sponsor",
}


def _stance(item: Item, delegation: Delegation | None) -> str:
    if delegation is None:
        return ""
    if item.sponsor_id == delegation.id:
        return " · :page_facing_up: your delegation's item"
    position = item.position_of(delegation.id)
    return f" · {STANCE[position.kind]}" if position else " · no position yet"


def _meeting_blocks(home: HomeMeeting) -> list[Block]:
    meeting = home.meeting
    who = (
        f"You speak for *{escape(home.delegation.name)}* ({home.delegation.role.value})"
        if home.delegation
        else "You are not in a delegation"
    )
    if home.is_chair:
        who += " and chair this meeting"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(escape(meeting.title), 150))),
        context(f"{who}. Channel: <#{meeting.channel_id}>."),
    ]
    if home.delegation is not None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Table a motion",
                        action_id=Action.TABLE,
                        value=MeetingRef(meeting.id).pack(),
                    )
                ]
            )
        )
    blocks += home_vote_blocks(
        home.votes, home.delegation, is_chair=home.is_chair, timezone=meeting.timezone
    )
    if home.floor is not None:
        place = home.floor.place_of(home.delegation.id) if home.delegation else None
        blocks.append(section("\n".join(home_lines(home.floor, place, meeting.timezone))))
    if not home.open_items:
        blocks.append(section("Nothing is open."))
    for item in home.open_items[:12]:
        line = (
            f"*#{item.number} {escape(truncate(item.heading, 120))}* — _{escape(item.sponsor)}_"
            + links(item)
        )
        if item.deadline is not None:
            line += f"\nCloses {when(item.deadline, meeting.timezone)}"
        if item.objections:
            names = ", ".join(escape(o.delegation) for o in item.objections)
            if is_blocked(item, meeting, home.participants):
                line += f"\n:no_entry: Blocked by {names}"
            else:
                line += f"\nObjecting (not blocking under {meeting.rule.describe()}): {names}"
        line += _stance(item, home.delegation)
        if home.is_chair:
            decide = ButtonElement(
                text="Decide now",
                action_id=Action.DECIDE,
                value=ItemRef(meeting.id, item.id).pack(),
            )
            blocks.append(section(line, accessory=decide))
        else:
            blocks.append(section(line))
    if len(home.open_items) > 12:
        blocks.append(context(f"…and {len(home.open_items) - 12} more open items."))
    if home.blocked:
        lines = [
            f"#{i.number} {escape(truncate(i.heading, 80))} — blocked by "
            + ", ".join(escape(o.delegation) for o in d.objections)
            for i, d in home.blocked[-8:]
        ]
        blocks.append(section("*Blocked and excised*\n" + "\n".join(lines)))
    if home.is_chair:
        blocks.append(
            context(
                "Chair shortcuts: `/meeting delegation add`, `/meeting session add`,"
                " `/meeting set window`, `/meeting set digest`, `/meeting agenda`"
                " — type them in the meeting's channel."
            )
        )
    blocks.append(DividerBlock())
    return blocks


def home_view(homes: Sequence[HomeMeeting]) -> dict[str, Any]:
    blocks: list[Block] = []
    if not homes:
        blocks.append(
            section(
                "*Plenary* runs consensus meetings in channels. You are not in any meeting yet:"
                " a chair adds your delegation with `/meeting delegation add`, or start one in"
                " a channel with `/meeting start <title>`.".replace("<title>", "&lt;title&gt;")
            )
        )
    for home in homes:
        chunk = _meeting_blocks(home)
        if len(blocks) + len(chunk) > MAX_HOME_BLOCKS - 1:
            blocks.append(context("More meetings are not shown; open their channels."))
            break
        blocks += chunk
    return View(type="home", blocks=blocks).to_dict()


MAX_HOME_VOTES = 5


def _own_ballot(home_vote: HomeVote, delegation: Delegation) -> str:
    ballot = home_vote.own_ballot
    if ballot is None or ballot.choice is None:
        return f"*{escape(delegation.name)}* has not voted yet."
    said = {Ballot.YES: "yes", Ballot.NO: "no", Ballot.ABSTAIN: "abstain"}[ballot.choice]
    return f"*{escape(delegation.name)}* voted *{said}* (<@{ballot.user_id}>); you can change it."


def home_vote_blocks(
    votes: Sequence[HomeVote], delegation: Delegation | None, *, is_chair: bool, timezone: str
) -> list[Block]:
    """The open votes of one meeting on a reader's Home tab: each with its tally, the reader's
    own delegation's ballot (only theirs), the buttons a participant may press, and a chair's
    Close vote."""
    blocks: list[Block] = []
    voter = delegation is not None and delegation.role.may_block
    for home_vote in votes[:MAX_HOME_VOTES]:
        vote = home_vote.vote
        members = len(vote.voted) + len(vote.not_voted)
        closes = f", closes {when(vote.deadline, timezone)}" if vote.deadline is not None else ""
        line = (
            f":ballot_box_with_ballot: *Vote on #{vote.item_number}"
            f" {escape(truncate(home_vote.heading, 120))}* — {vote.majority.describe()}"
            f"{' (secret ballot)' if vote.secret else ''}{closes}."
            f" {len(vote.voted)} of {members} participant delegations have voted."
        )
        if voter and delegation is not None:
            line += "\n" + _own_ballot(home_vote, delegation)
        blocks.append(section(line))
        elements = ballot_buttons(vote) if voter else []
        if is_chair:
            elements.append(
                ButtonElement(
                    text="Close vote",
                    action_id=Action.VOTE_CLOSE,
                    value=ItemRef(vote.meeting_id, vote.item_id).pack(),
                )
            )
        if elements:
            blocks.append(ActionsBlock(block_id=f"home-vote-{vote.id}", elements=elements))
    if len(votes) > MAX_HOME_VOTES:
        blocks.append(context(f"…and {len(votes) - MAX_HOME_VOTES} more open votes."))
    return blocks
