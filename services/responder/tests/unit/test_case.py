"""Threading, the response clock, the reopen window's effect, SLA due times and breaches."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from rapport.events import CaseState, Priority
from responder.domain.case import (
    Case,
    add_customer_message,
    add_response,
    assign,
    escalation_queue,
    open_breaches,
    reopens,
    resolve,
    settle,
)
from responder.domain.clock import response_clock
from responder.domain.sla import DEFAULT_POLICIES

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def a_case(**fields: object) -> Case:
    case = Case.model_validate(
        {
            "_id": UUID(int=1),
            "profile_id": UUID(int=2),
            "queue": "support",
            "priority": Priority.NORMAL,  # first response 60 min, next 120, resolution 24 h
            "priority_score": 30,
            "platform": "x",
            "author_id": "u1",
            "opened_at": T0,
            "cycle_start": T0,
            **fields,
        }
    )
    return settle(add_customer_message(case, UUID(int=10), "t1", "c1", T0), DEFAULT_POLICIES)


def test_response_clock_in_platform_time_whatever_the_arrival_order() -> None:
    customer = [minutes(0), minutes(30), minutes(90)]
    responses = [minutes(45), minutes(-5), minutes(20)]
    clock = response_clock(customer, responses)
    assert clock.first_response_at == minutes(20)
    assert clock.last_response_at == minutes(45)
    assert clock.awaiting_since == minutes(90)
    assert response_clock(customer[:2], responses).awaiting_since is None
    assert response_clock([], responses).first_response_at is None


def test_a_customer_message_threads_into_the_case() -> None:
    case = add_customer_message(a_case(), UUID(int=11), "t2", "c2", minutes(5))
    assert case.mention_ids == [UUID(int=10), UUID(int=11)]
    assert case.external_ids == ["t1", "t2"]
    assert case.conversation_ids == ["c1", "c2"]


def test_an_answer_makes_the_case_wait_on_the_customer_and_a_new_message_brings_it_back() -> None:
    answered = settle(add_response(a_case(), minutes(10)), DEFAULT_POLICIES)
    assert answered.state is CaseState.WAITING_ON_CUSTOMER
    assert answered.first_response_at == minutes(10)
    again = add_customer_message(answered, UUID(int=11), "t2", None, minutes(20))
    assert again.state is CaseState.OPEN
    settled = settle(again, DEFAULT_POLICIES)
    assert settled.due["next_response"] == minutes(20 + 120)


def test_a_message_after_resolution_reopens_without_the_former_agent() -> None:
    held = assign(a_case(), "ann")
    assert held.state is CaseState.ASSIGNED
    resolved = resolve(held, minutes(30))
    assert (resolved.state, resolved.active) == (CaseState.RESOLVED, False)
    reopened = add_customer_message(resolved, UUID(int=11), "t2", None, minutes(40))
    assert (reopened.state, reopened.active, reopened.assignee) == (CaseState.OPEN, True, None)
    assert reopened.cycle_start == minutes(40)
    assert settle(reopened, DEFAULT_POLICIES).due["resolution"] == minutes(40 + 24 * 60)


def test_due_times_follow_the_priority_policy() -> None:
    case = a_case()
    assert case.due == {"first_response": minutes(60), "resolution": minutes(24 * 60)}
    assert case.next_due == minutes(60)
    urgent = settle(case.model_copy(update={"priority": Priority.URGENT}), DEFAULT_POLICIES)
    assert urgent.due["first_response"] == minutes(15)


def test_a_breach_is_due_at_its_due_time_not_before() -> None:
    case = a_case()
    assert open_breaches(case, minutes(59.99)) == []
    assert open_breaches(case, minutes(60)) == [("first_response", minutes(60))]


def test_an_answer_in_time_leaves_no_breach_and_a_late_one_does() -> None:
    on_time = settle(add_response(a_case(), minutes(60)), DEFAULT_POLICIES)
    assert open_breaches(on_time, minutes(600)) == []
    assert on_time.next_due is None  # waiting on the customer: the resolution clock is paused
    late = settle(add_response(a_case(), minutes(61)), DEFAULT_POLICIES)
    assert open_breaches(late, minutes(61)) == [("first_response", minutes(60))]


def test_imported_history_is_never_scanned() -> None:
    assert a_case(historical=True).next_due is None


def test_escalation_goes_to_supervisors_then_to_pr_for_high_reach() -> None:
    assert escalation_queue(a_case()) == "supervisor"
    assert escalation_queue(a_case(queue="supervisor")) is None
    assert escalation_queue(a_case(queue="supervisor", reach=10_000)) == "pr"
    assert escalation_queue(a_case(queue="pr", reach=10_000)) is None


def test_the_reopen_window_at_its_boundary() -> None:
    resolved = resolve(a_case(), minutes(30))
    window = timedelta(hours=72)
    assert reopens(resolved, minutes(30) + window, window)
    assert not reopens(resolved, minutes(30) + window + timedelta(seconds=1), window)
    assert not reopens(a_case(), minutes(30), window)  # never resolved


def test_an_earlier_message_arriving_late_moves_the_opening_back() -> None:
    late = add_customer_message(a_case(), UUID(int=11), "t0", "c1", minutes(-30))
    assert (late.opened_at, late.cycle_start) == (minutes(-30), minutes(-30))
    assert settle(late, DEFAULT_POLICIES).due["first_response"] == minutes(30)
