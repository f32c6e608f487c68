"""The SLA clocks of a case (``domain.sla_clocks`` through ``domain.case``): each transition
of the conversation, in platform time. NORMAL priority: first response 60 min, next 120,
resolution 24 h."""

from datetime import timedelta
from uuid import UUID

from rapport.events import CaseState
from responder.domain.case import (
    Case,
    add_customer_message,
    add_response,
    open_breaches,
    resolve,
    settle,
    wait_on_customer,
)
from responder.domain.sla import DEFAULT_POLICIES
from responder.domain.sla_clocks import Pause, clock
from responder.domain.triage import is_history

from .test_case import T0, a_case, minutes


def settled(case: Case) -> Case:
    return settle(case, DEFAULT_POLICIES)


def writes(case: Case, n: int, at: float) -> Case:
    return settled(add_customer_message(case, UUID(int=10 + n), f"t{n}", None, minutes(at)))


def answers(case: Case, at: float) -> Case:
    return settled(add_response(case, minutes(at)))


def test_the_first_reply_stops_the_first_response_clock() -> None:
    waiting = a_case().clocks["first_response"]
    assert (waiting.started_at, waiting.due, waiting.met_at) == (T0, minutes(60), None)
    answered = answers(a_case(), 10)
    met = answered.clocks["first_response"]
    assert (met.due, met.met_at) == (minutes(60), minutes(10))
    assert open_breaches(answered, minutes(600)) == []


def test_a_new_customer_message_starts_next_response_and_the_next_reply_meets_it() -> None:
    answered = answers(a_case(), 10)
    assert "next_response" not in answered.clocks
    again = writes(answered, 1, 30)
    running = again.clocks["next_response"]
    assert (running.started_at, running.due, running.met_at) == (minutes(30), minutes(150), None)
    assert again.next_due == minutes(150)
    still = writes(again, 2, 50)  # a second message does not restart the round
    assert still.clocks["next_response"].started_at == minutes(30)
    met = answers(still, 100).clocks["next_response"]
    assert (met.due, met.met_at) == (minutes(150), minutes(100))


def test_each_round_after_an_answer_gets_its_own_due_time() -> None:
    case = writes(answers(writes(answers(a_case(), 10), 1, 30), 100), 2, 400)
    latest = case.clocks["next_response"]
    assert (latest.started_at, latest.due, latest.met_at) == (minutes(400), minutes(520), None)


def test_a_late_next_response_is_a_breach_even_once_answered() -> None:
    late = answers(writes(answers(a_case(), 10), 1, 30), 200)
    assert open_breaches(late, minutes(200)) == [("next_response", minutes(150))]


def test_waiting_on_the_customer_pauses_the_clocks_and_the_pause_moves_them_on() -> None:
    paused = settled(wait_on_customer(a_case(), minutes(10)))
    assert paused.state is CaseState.WAITING_ON_CUSTOMER
    assert paused.paused_since == minutes(10)
    assert paused.clocks["first_response"].due is None
    assert paused.clocks["resolution"].due is None
    assert (paused.due, paused.next_due) == ({}, None)
    assert open_breaches(paused, minutes(10_000)) == []
    back = writes(paused, 1, 40)  # 30 minutes waited
    assert back.state is CaseState.OPEN
    assert (back.paused_since, back.paused_s) == (None, 1800.0)
    first = back.clocks["first_response"]
    assert (first.due, first.paused_s) == (minutes(90), 1800.0)
    assert back.clocks["resolution"].due == minutes(24 * 60 + 30)
    assert back.next_due == minutes(90)


def test_an_answer_waits_on_the_customer_from_the_answer() -> None:
    answered = answers(a_case(), 10)
    assert answered.state is CaseState.WAITING_ON_CUSTOMER
    assert answered.pauses == [Pause(start=minutes(10))]
    assert answered.clocks["resolution"].due is None
    back = writes(answered, 1, 70)
    assert back.clocks["resolution"].due == minutes(24 * 60 + 60)
    assert back.clocks["first_response"].due == minutes(60)  # met before the pause


def test_resolving_ends_the_pause_and_meets_the_resolution_clock() -> None:
    resolved = settled(resolve(answers(a_case(), 10), minutes(70)))
    assert resolved.pauses == [Pause(start=minutes(10), end=minutes(70))]
    met = resolved.clocks["resolution"]
    assert (met.met_at, met.due, met.paused_s) == (minutes(70), minutes(24 * 60 + 60), 3600.0)
    assert resolved.next_due is None


def test_a_pause_that_begins_after_the_due_time_moves_nothing() -> None:
    pauses = [Pause(start=T0 + timedelta(minutes=90), end=T0 + timedelta(minutes=200))]
    assert clock(T0, minutes(60), None, pauses).due == minutes(60)
    before = [Pause(start=T0 - timedelta(minutes=50), end=T0 + timedelta(minutes=5))]
    assert clock(T0, minutes(60), None, before).due == minutes(65)  # only its part after start


def test_history_is_older_than_the_live_window() -> None:
    window = timedelta(hours=72)
    assert not is_history(T0, T0 + window, window)
    assert is_history(T0, T0 + window + timedelta(seconds=1), window)


def test_a_case_stored_before_it_had_clocks_is_not_breached_for_a_target_it_met() -> None:
    answered = answers(a_case(), 10).model_copy(update={"clocks": {}})
    assert open_breaches(answered, minutes(600)) == []
