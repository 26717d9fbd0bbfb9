"""Any value on any button, pressed by anyone from anywhere: always a private answer to the
presser, never a crash, never a half-written record."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from bot.commands.payloads import Action, MeetingRef
from tests.support.cast import CHAIR, CHANNEL, KPCSC, OUTSIDER, RUSSIA
from tests.support.harness import ON_SQLITE_FILE, Harness
from tests.support.hostile_input import BOUNDED, FORGED_REFS, ITEM_REFS, OTHER_TEAM, hostile, mostly
from tests.support.safety_checks import assert_answer_pings_nobody


def button_value(action: Action) -> st.SearchStrategy[str]:
    own = [MeetingRef(1).pack()] if action is Action.TABLE else ITEM_REFS
    odd = st.sampled_from([*FORGED_REFS, "i1:١:١", "m1:1\n", *ITEM_REFS, MeetingRef(1).pack()])
    return mostly(st.sampled_from(own), st.one_of(odd, hostile))


@ON_SQLITE_FILE
@BOUNDED
@given(
    action=st.sampled_from(list(Action)),
    user=mostly(st.sampled_from([RUSSIA, KPCSC, CHAIR]), st.just(OUTSIDER)),
    where=mostly(
        st.just((CHANNEL, None)),
        st.sampled_from([("C0ELSEWHERE", None), (CHANNEL, OTHER_TEAM)]),
    ),
    data=st.data(),
)
def test_every_button_with_any_value_answers_the_presser_privately_and_nothing_breaks(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    action: Action,
    user: str,
    where: tuple[str, str | None],
    data: st.DataObject,
) -> None:
    value = data.draw(button_value(action), label="value")
    key = f"press-{next(harness.serial)}"
    channel, team = where
    request = harness.rig.signer.block_action(
        user_id=user,
        action_id=action,
        value=value,
        channel_id=channel,
        team_id=team,
        response_key=key,
    )
    reply, made = harness.attempt(caplog, harness.rig.send(request))
    assert reply.raw == ""
    told = harness.rig.slack.responses.get(key, [])
    forms = [c for c in made if c.method == "views.open"]
    assert told or forms, "the presser was told nothing"
    for answer in told:
        assert answer.get("response_type") == "ephemeral"
        assert str(answer.get("text", "")).strip()
        assert_answer_pings_nobody(answer)
