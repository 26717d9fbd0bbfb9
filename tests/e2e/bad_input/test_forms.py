"""Arbitrary and hostile fields and metadata in every form: always an answer on the form
itself, never a crash, never a half-written record."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, strategies as st

from bot.commands.payloads import Form, MeetingRef
from bot.demo.rig import Reply, Rig
from tests.support.cast import KPCSC, OUTSIDER, RUSSIA, UKRAINE
from tests.support.harness import ON_SQLITE_FILE, Harness
from tests.support.hostile_input import BOUNDED, FORGED_REFS, ITEM_REFS, OTHER_TEAM, hostile, mostly
from tests.support.state import delegations_of, positions_of

FORM_BLOCKS = {
    Form.OBJECTION: {"reason"},
    Form.POSITION: {"kind", "statement"},
    Form.TABLING: {"title", "text", "deadline_date", "deadline_time", "cosponsors", "session"},
}


maybe = mostly(hostile, st.none())
odd_option = st.one_of(st.sampled_from(["4", "99", "²", "reservation", ""]), hostile)


def form_metadata(form: Form) -> st.SearchStrategy[str]:
    own = [MeetingRef(1).pack()] if form is Form.TABLING else ITEM_REFS
    return mostly(st.sampled_from(own), st.one_of(st.sampled_from(FORGED_REFS), hostile))


def submission_fields(form: Form) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    if form is Form.OBJECTION:
        return st.fixed_dictionaries({"reason": st.fixed_dictionaries({"value": maybe})})
    if form is Form.POSITION:
        chosen = mostly(
            st.sampled_from(["reservation", "stand-aside"]),
            st.sampled_from(["objection", "support", "<!channel>", "", None]),
        )
        return st.fixed_dictionaries(
            {
                "kind": chosen.map(
                    lambda v: {"selected_option": None if v is None else {"value": v}}
                ),
                "statement": st.fixed_dictionaries({"value": maybe}),
            }
        )
    odd_day = st.one_of(st.sampled_from(["2026-10-01", "0001-01-01", "9999-12-31"]), hostile)
    odd_clock = st.one_of(st.sampled_from(["00:00", "25:61", "9:5"]), hostile)
    deadline = mostly(
        st.sampled_from([(None, None), (None, None), ("2026-11-05", "09:00")]),
        st.tuples(st.one_of(st.none(), odd_day), st.one_of(st.none(), odd_clock)),
    )
    choice = st.fixed_dictionaries({"value": mostly(st.sampled_from(["1", "2", "3"]), odd_option)})
    return st.tuples(
        maybe,
        maybe,
        deadline,
        mostly(st.lists(choice, max_size=0), st.lists(choice, max_size=3)),
        mostly(st.none(), choice),
    ).map(
        lambda t: {
            "title": {"value": t[0]},
            "text": {"value": t[1]},
            "deadline_date": {"selected_date": t[2][0]},
            "deadline_time": {"selected_time": t[2][1]},
            "cosponsors": {"selected_options": t[3]},
            "session": {"selected_option": t[4]},
        }
    )


def check_form_answer(reply: Reply, form: Form) -> None:
    """Slack accepts only an empty body or field errors keyed by the form's own blocks."""
    if reply.raw == "":
        return
    answer = reply.json
    assert set(answer) == {"response_action", "errors"}, reply.raw[:300]
    assert answer["response_action"] == "errors"
    assert answer["errors"]
    assert set(answer["errors"]) <= FORM_BLOCKS[form]
    # Field errors are plain text under the input, never parsed for mentions.
    for message in answer["errors"].values():
        assert isinstance(message, str)
        assert message.strip()


@ON_SQLITE_FILE
@pytest.mark.parametrize("form", list(Form))
@BOUNDED
@given(
    user=mostly(st.sampled_from([RUSSIA, UKRAINE, KPCSC]), st.just(OUTSIDER)),
    team=mostly(st.none(), st.just(OTHER_TEAM)),
    data=st.data(),
)
def test_every_form_with_any_fields_and_metadata_answers_on_the_form_and_nothing_breaks(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    form: Form,
    user: str,
    team: str | None,
    data: st.DataObject,
) -> None:
    private_metadata = data.draw(form_metadata(form), label="private_metadata")
    fields = data.draw(submission_fields(form), label="fields")
    reply, _ = harness.attempt(
        caplog,
        harness.rig.submit(form, fields, user=user, private_metadata=private_metadata, team=team),
    )
    check_form_answer(reply, form)


@pytest.mark.parametrize("forged", ["²", "¹²"])
async def test_a_forged_session_or_cosponsor_choice_on_the_tabling_form_is_refused_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, forged: str
) -> None:
    for fields in (
        {"session": {"selected_option": {"value": forged}}},
        {"cosponsors": {"selected_options": [{"value": forged}]}},
    ):
        reply = await kasane.submit(
            Form.TABLING,
            {"title": {"value": "T"}, "text": {"value": "x"}, **fields},
            user=UKRAINE,
            private_metadata=MeetingRef(1).pack(),
        )
        assert "Reference:" not in reply.raw
        check_form_answer(reply, Form.TABLING)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_same_cosponsor_chosen_twice_on_the_tabling_form_counts_once_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    mali = next(d.id for d in await delegations_of(kasane) if d.name == "Mali")
    reply = await kasane.submit(
        Form.TABLING,
        {
            "title": {"value": "T"},
            "text": {"value": "x"},
            "cosponsors": {"selected_options": [{"value": str(mali)}, {"value": str(mali)}]},
        },
        user=UKRAINE,
        private_metadata=MeetingRef(1).pack(),
    )
    await kasane.settle()
    assert "Reference:" not in reply.raw
    check_form_answer(reply, Form.TABLING)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    if reply.raw == "":
        assert [(p.delegation, p.kind) for p in await positions_of(kasane)] == [("Mali", "support")]
