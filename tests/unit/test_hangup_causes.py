"""Hangup cause classification: the outcomes a campaign recycles on."""

import pytest

from engine.hangup_causes import Outcome, cause_name, classify_dialstatus, classify_hangup


@pytest.mark.parametrize(
    ("cause", "outcome"),
    [
        (17, Outcome.BUSY),
        (18, Outcome.NO_ANSWER),
        (19, Outcome.NO_ANSWER),
        (16, Outcome.NO_ANSWER),
        (34, Outcome.CONGESTION),
        (38, Outcome.CONGESTION),
        (41, Outcome.CONGESTION),
        (42, Outcome.CONGESTION),
        (1, Outcome.INVALID_NUMBER),
        (3, Outcome.INVALID_NUMBER),
        (22, Outcome.INVALID_NUMBER),
        (28, Outcome.INVALID_NUMBER),
        (21, Outcome.FAILED),
        (127, Outcome.FAILED),
        (0, Outcome.FAILED),
        (None, Outcome.FAILED),
    ],
)
def test_unanswered_causes(cause: int | None, outcome: Outcome) -> None:
    assert classify_hangup(cause) is outcome


@pytest.mark.parametrize("cause", [16, 17, 34, 1, None])
def test_answered_wins_over_any_cause(cause: int | None) -> None:
    assert classify_hangup(cause, answered=True) is Outcome.ANSWERED


def test_ring_timeout_is_no_answer_whatever_the_cause() -> None:
    assert classify_hangup(127, timed_out=True) is Outcome.NO_ANSWER
    assert classify_hangup(None, timed_out=True) is Outcome.NO_ANSWER


def test_busy_and_congestion_are_told_apart() -> None:
    # AMI's OriginateResponse gives Reason 0 for both; the cause is what separates them.
    assert classify_hangup(17) != classify_hangup(34)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("ANSWER", Outcome.ANSWERED),
        ("NOANSWER", Outcome.NO_ANSWER),
        ("BUSY", Outcome.BUSY),
        ("CONGESTION", Outcome.CONGESTION),
        ("CHANUNAVAIL", Outcome.CONGESTION),
        ("CANCEL", Outcome.FAILED),
        ("ringing", None),
        ("PROGRESS", None),
        ("", None),
    ],
)
def test_dialstatus(status: str, outcome: Outcome | None) -> None:
    assert classify_dialstatus(status) is outcome


def test_cause_names() -> None:
    assert cause_name(17) == "User busy"
    assert cause_name(999) == "cause 999"
    assert cause_name(None) == "no cause reported"
