"""The offline demo's transcript tells the channel's story once, step by step."""

from __future__ import annotations

import re

import pytest

from bot.demo.story import run_demo

POSTED = "  # channel: Plenary posted"
WHOLE_CHANNEL = "══ The channel as a delegate reads it now ══"
RECORD_STEP = "types: /meeting record"


def posted_bodies(transcript: str) -> list[str]:
    """The body printed under each "Plenary posted" line."""
    bodies = []
    for chunk in transcript.split(POSTED + "\n")[1:]:
        lines = []
        for line in chunk.splitlines():
            if not line.startswith("  │"):
                break
            lines.append(line)
        bodies.append("\n".join(lines))
    return bodies


async def test_the_demo_transcript_shows_each_channel_message_posted_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo() == 0
    transcript = capsys.readouterr().out

    story, _, after_story = transcript.partition(WHOLE_CHANNEL)
    whole_channel, _, record_step = after_story.partition(RECORD_STEP)
    channel_messages = re.findall(r"^  Plenary( \(edited\))?:$", whole_channel, re.MULTILINE)
    bodies = posted_bodies(story)
    assert len(channel_messages) == 15
    assert len(bodies) == len(channel_messages)
    assert len(set(bodies)) == len(bodies)
    # The record step uploads two files and posts nothing to the channel.
    assert POSTED not in record_step
    assert record_step.count("══ Uploaded to the channel:") == 2


async def test_the_demo_debates_the_civil_society_item_from_its_list_of_speakers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_demo() == 0
    transcript = capsys.readouterr().out
    assert "types: /floor order" in transcript
    assert "*Belarus* has the floor — _point of order_" in transcript
    assert "*Ukraine* — _right of reply_" in transcript
    assert transcript.count("(only Ukraine) :hourglass_flowing_sand: 30 seconds left") == 1
    assert "*Time is up.*" in transcript
