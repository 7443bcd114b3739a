"""Caller ID: local presence from the campaign's verified numbers, with rotation."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.dialing.caller_id import CallerIdPool

SF = "+14155550100"  # California
LA = "+13105550199"  # California
DC_1, DC_2, DC_3 = "+12025550101", "+12025550102", "+12025550103"
MANHATTAN = "+12125550100"  # New York
BROOKLYN = "+17185551234"  # New York
OTTAWA = "+16135550100"  # Canada
LONDON = "+442079460000"
UK_MOBILE = "+447911123456"  # +44, but libphonenumber places it in Guernsey
PARIS = "+33142685300"
VERIFIED = [SF, LA, DC_1, DC_2, DC_3, MANHATTAN, BROOKLYN, OTTAWA, LONDON, UK_MOBILE, PARIS]


def test_area_code_match_wins() -> None:
    pool = CallerIdPool([SF, BROOKLYN, MANHATTAN])
    assert pool.choose("+12125559876") == MANHATTAN


def test_state_match_when_no_area_code_match() -> None:
    pool = CallerIdPool([SF, BROOKLYN])
    assert pool.choose("+12125559876") == BROOKLYN  # 212 and 718 are both New York


def test_given_state_overrides_the_area_codes_state() -> None:
    pool = CallerIdPool([BROOKLYN, LA])
    # A New York number whose owner lives in California (state from the contact's ZIP).
    assert pool.choose("+12125559876", callee_state="ca") == LA


def test_area_code_match_beats_given_state() -> None:
    pool = CallerIdPool([LA, MANHATTAN])
    assert pool.choose("+12125559876", callee_state="CA") == MANHATTAN


def test_default_when_nothing_local() -> None:
    pool = CallerIdPool([MANHATTAN, SF, DC_1])
    assert pool.choose("+15125550123") == MANHATTAN  # Texas
    assert pool.choose("+16135559999") == MANHATTAN  # Canada, no Ottawa number in the pool
    assert pool.default == MANHATTAN


def test_canadian_area_code_match() -> None:
    pool = CallerIdPool([SF, OTTAWA])
    assert pool.choose("+16135559999") == OTTAWA


def test_equal_numbers_rotate_round_robin() -> None:
    pool = CallerIdPool([SF, DC_1, DC_2, DC_3])
    chosen = [pool.choose(f"+1202555{n:04d}") for n in range(200, 206)]
    assert chosen == [DC_1, DC_2, DC_3, DC_1, DC_2, DC_3]


def test_rotation_balances_state_matches() -> None:
    pool = CallerIdPool([DC_1, SF, LA])
    counts = Counter(pool.choose("+19165550123") for _ in range(300))  # Sacramento
    assert counts == {SF: 150, LA: 150}


def test_non_nanp_callee_gets_same_country() -> None:
    pool = CallerIdPool([SF, LONDON, UK_MOBILE, PARIS])
    assert pool.choose("+33612345678") == PARIS
    assert [pool.choose("+441614960000") for _ in range(3)] == [LONDON, UK_MOBILE, LONDON]
    assert pool.choose("+4930123456") == SF  # Germany: no German number, default


def test_nanp_callee_never_gets_a_foreign_number_by_country() -> None:
    pool = CallerIdPool([LONDON, SF])
    assert pool.choose("+12125559876") == LONDON  # the default, not a "+1" match


@pytest.mark.parametrize("callee", ["", "garbage", "+", "+1", "+11234567890", "12"])
def test_unparseable_callee_gets_default(callee: str) -> None:
    assert CallerIdPool([SF, DC_1]).choose(callee) == SF


@given(
    callees=st.lists(
        st.tuples(
            st.sampled_from(VERIFIED + ["+12025550199", "+15125550123"]),
            st.none() | st.sampled_from(["CA", "NY", "DC", "TX"]),
        )
    ),
)
def test_same_calls_same_choices(callees: list[tuple[str, str | None]]) -> None:
    first, second = CallerIdPool(VERIFIED), CallerIdPool(VERIFIED)
    assert [first.choose(*c) for c in callees] == [second.choose(*c) for c in callees]


CALLEES = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\A\+?[0-9]{0,16}\Z"),
    st.builds(
        lambda npa, rest: f"+1{npa}{rest}",
        st.sampled_from(["202", "212", "415", "613"]),
        st.from_regex(r"\A[0-9]{7}\Z"),
    ),
)


@given(
    numbers=st.lists(st.sampled_from(VERIFIED), min_size=1, unique=True),
    calls=st.lists(st.tuples(CALLEES, st.none() | st.text(max_size=3)), max_size=30),
)
def test_choice_is_always_from_the_pool(
    numbers: list[str], calls: list[tuple[str, str | None]]
) -> None:
    pool = CallerIdPool(numbers)
    for callee, state in calls:
        assert pool.choose(callee, state) in numbers


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ([], "caller ID pool is empty"),
        (["2025550123"], "caller ID '2025550123' is not a phone number; write it in E.164"),
        (["+1202"], "caller ID '\\+1202' is not a valid number"),
        ([SF, "+1 202-555-0123"], "is not in E.164 form; write it as \\+12025550123"),
        ([SF, DC_1, SF], f"caller ID \\{SF} is listed twice"),
    ],
)
def test_bad_pool_is_refused_in_one_line(numbers: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        CallerIdPool(numbers)
    assert "\n" not in str(caught.value)


def test_a_bare_string_is_not_a_pool() -> None:
    with pytest.raises(TypeError, match="list of numbers"):
        CallerIdPool(SF)
