"""Saved replies: variables checked when saved, filled in for a case."""

from uuid import UUID

import pytest
from pydantic import ValidationError

from rapport.errors import Unprocessable
from responder.domain.macros import (
    MACRO_MAX,
    VARIABLES,
    Macro,
    TooLong,
    UnknownVariable,
    check,
    render,
    values_for,
)
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases import macros
from responder.use_cases.case_intake import take_mention

from .conftest import mention

CASE = UUID("1234abcd-0000-0000-0000-000000000000")


def test_every_known_variable_passes_and_is_filled_in() -> None:
    text = "Hi {{customer.name}} ({{ customer.handle }}), {{agent.name}} here. Ref {{case.id}}."
    check(text)
    values = values_for(CASE, "jo", "Jo Park", "Ann")
    assert set(values) == set(VARIABLES)
    assert render(text, values) == "Hi Jo Park (@jo), Ann here. Ref 1234abcd."


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Hi {{customer.email}}", "{{customer.email}}"),
        ("Hi {{ Customer.Name }}", "{{Customer.Name}}"),
        ("Hi {{}}", "{{}}"),
        ("Hi {{customer.name}", "'{{'"),
        ("Hi customer.name}}", "'{{'"),
    ],
)
def test_an_unknown_variable_or_a_stray_brace_is_refused_by_name(text: str, named: str) -> None:
    with pytest.raises(UnknownVariable) as refused:
        check(text)
    assert named in str(refused.value)
    assert isinstance(refused.value, Unprocessable)


def test_a_customer_without_a_name_is_greeted_by_handle_then_there() -> None:
    assert values_for(CASE, "jo", None, "Ann")["customer.name"] == "@jo"
    assert values_for(CASE, None, None, "Ann")["customer.name"] == "there"
    assert values_for(CASE, None, None, "Ann")["customer.handle"] == ""


def test_a_reply_rendered_past_the_reply_limit_is_refused() -> None:
    text = "x" * (MACRO_MAX - 20) + "{{customer.name}}"
    assert len(render(text, values_for(CASE, "jo", "J", "A"))) <= MACRO_MAX
    with pytest.raises(TooLong):
        render(text, values_for(CASE, "jo", "J" * 40, "A"))


def test_a_macro_name_and_text_are_bounded_and_trimmed() -> None:
    base = {"_id": CASE, "updated_by": "lead", "updated_at": "2026-01-01T00:00:00Z"}
    assert Macro.model_validate({**base, "name": " Refund ", "text": " ok "}).name == "Refund"
    for bad in (
        {"name": " ", "text": "ok"},
        {"name": "n" * 81, "text": "ok"},
        {"name": "n", "text": "t" * (MACRO_MAX + 1)},
    ):
        with pytest.raises(ValidationError):
            Macro.model_validate({**base, **bad})


async def test_a_saved_macro_renders_for_a_case_and_its_agent(fakes: Fakes, ports: Ports) -> None:
    from responder.domain.agents import AgentIn

    case = await take_mention(ports, mention(1, intents=["complaint"]))
    assert case is not None
    await ports.agents.put("ann", AgentIn(name="Ann Lee", capacity=5))
    with pytest.raises(UnknownVariable):
        await macros.save(ports, fakes.macros, CASE, "Bad", "Hi {{nope}}", "lead")
    assert fakes.macros.macros == {}
    saved = await macros.save(ports, fakes.macros, CASE, "Hi", "Hi {{agent.name}}", "lead")
    assert (saved.updated_by, saved.updated_at) == ("lead", ports.clock())
    assert await macros.rendered(ports, fakes.macros, case.id, CASE, "ann") == "Hi Ann Lee"
    assert await macros.rendered(ports, fakes.macros, case.id, CASE, "bob") == "Hi bob"
    with pytest.raises(macros.UnknownMacro):
        await macros.rendered(ports, fakes.macros, case.id, UUID(int=5), "ann")
