"""The modals: objecting with a reason, stating a position on record, tabling an item, and an
answer shown where there is no channel to answer in (the Home tab).
Pure Block Kit built from records; block ids (``Field``) are the keys field errors are reported
under, and ``bot.commands.submissions`` reads what comes back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.commands.payloads import Form, ItemRef, MeetingRef
from bot.commands.submissions import Field
from bot.domain.model import Delegation, Item, Meeting, Session
from bot.domain.rules import MAX_ITEM_TEXT, MAX_REASON, MAX_TITLE, PositionKind
from bot.domain.text import escape, truncate
from bot.render.blocks import Message, section

MAX_OPTIONS = 100  # Slack's limit for a select menu


def _plain(text: str, limit: int = 75) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, limit))


def _item_summary(item: Item) -> SectionBlock:
    return section(f"*#{item.number} {escape(item.heading)}*\n{escape(truncate(item.text, 600))}")


def objection_form(item: Item) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=Form.OBJECTION,
        private_metadata=ItemRef(item.meeting_id, item.id).pack(),
        title=_plain(f"Object to #{item.number}", 24),
        submit=_plain("Object"),
        close=_plain("Cancel"),
        blocks=[
            _item_summary(item),
            InputBlock(
                block_id=Field.REASON,
                label=_plain("Reason (shown to the meeting)"),
                optional=True,
                element=PlainTextInputElement(
                    action_id=Field.REASON, multiline=True, max_length=MAX_REASON
                ),
            ),
        ],
    )
    return view.to_dict()


def position_form(item: Item) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=Form.POSITION,
        private_metadata=ItemRef(item.meeting_id, item.id).pack(),
        title=_plain(f"On record: #{item.number}", 24),
        submit=_plain("Put on record"),
        close=_plain("Cancel"),
        blocks=[
            _item_summary(item),
            InputBlock(
                block_id=Field.KIND,
                label=_plain("Your delegation's position"),
                element=RadioButtonsElement(
                    action_id=Field.KIND,
                    options=[
                        Option(
                            value=PositionKind.RESERVATION.value,
                            text="Reservation: we join consensus, with a statement",
                        ),
                        Option(
                            value=PositionKind.STAND_ASIDE.value,
                            text="Stand aside: we disassociate, without blocking",
                        ),
                    ],
                ),
            ),
            InputBlock(
                block_id=Field.STATEMENT,
                label=_plain("Statement for the record"),
                element=PlainTextInputElement(
                    action_id=Field.STATEMENT, multiline=True, max_length=MAX_REASON
                ),
            ),
        ],
    )
    return view.to_dict()


def tabling_form(
    meeting: Meeting, own: Delegation, others: Sequence[Delegation], sessions: Sequence[Session]
) -> dict[str, Any]:
    blocks: list[Any] = [
        section(
            f"Tabling for *{escape(own.name)}* in *{escape(meeting.title)}*. Times are in"
            f" {meeting.timezone}."
        ),
        InputBlock(
            block_id=Field.TITLE,
            label=_plain("Title"),
            element=PlainTextInputElement(action_id=Field.TITLE, max_length=MAX_TITLE),
        ),
        InputBlock(
            block_id=Field.TEXT,
            label=_plain("Text of the motion"),
            element=PlainTextInputElement(
                action_id=Field.TEXT, multiline=True, max_length=MAX_ITEM_TEXT
            ),
        ),
        InputBlock(
            block_id=Field.DEADLINE_DATE,
            label=_plain("Deadline date (silence procedure), optional"),
            optional=True,
            element=DatePickerElement(action_id=Field.DEADLINE_DATE),
        ),
        InputBlock(
            block_id=Field.DEADLINE_TIME,
            label=_plain(f"Deadline time ({meeting.timezone})"),
            optional=True,
            element=TimePickerElement(action_id=Field.DEADLINE_TIME),
        ),
    ]
    if others:
        blocks.append(
            InputBlock(
                block_id=Field.COSPONSORS,
                label=_plain("Co-sponsor delegations"),
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=Field.COSPONSORS,
                    options=[
                        Option(value=str(d.id), text=truncate(d.name, 75))
                        for d in others[:MAX_OPTIONS]
                    ],
                ),
            )
        )
    if sessions:
        blocks.append(
            InputBlock(
                block_id=Field.SESSION,
                label=_plain("Session"),
                optional=True,
                element=StaticSelectElement(
                    action_id=Field.SESSION,
                    options=[
                        Option(value=str(s.number), text=truncate(f"{s.number}. {s.title}", 75))
                        for s in sessions[:MAX_OPTIONS]
                    ],
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=Form.TABLING,
        private_metadata=MeetingRef(meeting.id).pack(),
        title=_plain("Table a motion", 24),
        submit=_plain("Table"),
        close=_plain("Cancel"),
        blocks=blocks,
    )
    return view.to_dict()


def answer_modal(message: Message) -> dict[str, Any]:
    """An answer to someone who pressed a button on the Home tab, where no ephemeral message
    can appear."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Plenary"},
        "close": {"type": "plain_text", "text": "Close"},
        # A modal has no text of its own: a text-only message becomes one section.
        "blocks": message.blocks or [section(message.text).to_dict()],
    }
