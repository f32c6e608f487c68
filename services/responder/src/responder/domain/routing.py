"""Routing: the first rule (lowest ``order``) whose every condition holds sends the case to
its queue, with the skills an agent needs there. Stored rules come first, then the defaults:
fans' praise to community, purchase intent to sales, negative high reach to PR, Korean to
support-ko, everything else to support.
"""

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, model_validator

from rapport.bounds import Count
from rapport.events import Intent, Platform, RelationshipStage, SentimentLabel
from responder.domain.strict import StrictModel

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Keyword = Annotated[str, Field(min_length=2, max_length=64)]
HIGH_REACH = 10_000


class Conditions(StrictModel):
    """Each condition given must hold; a list holds when any of its values does."""

    intents: list[Intent] = Field(default_factory=list, max_length=16)
    sentiments: list[SentimentLabel] = Field(default_factory=list, max_length=3)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=list, max_length=32
    )
    platforms: list[Platform] = Field(default_factory=list, max_length=8)
    stages: list[RelationshipStage] = Field(default_factory=list, max_length=8)
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    min_followers: Count | None = None
    community: bool | None = None
    """True: only fans' praise; False: only cases waiting for an answer."""

    @model_validator(mode="after")
    def _says_something(self) -> "Conditions":
        if not any(getattr(self, name) not in (None, []) for name in type(self).model_fields):
            raise ValueError("a rule needs at least one condition")
        return self


class Rule(StrictModel):
    order: int = Field(ge=0, le=1_000_000)
    conditions: Conditions
    queue: Name
    skills: list[Name] = Field(default_factory=list, max_length=16)


@dataclass(frozen=True)
class Facts:
    """What routing looks at, for one mention and its author."""

    intents: frozenset[Intent]
    sentiment: SentimentLabel
    language: str | None
    platform: Platform
    stage: RelationshipStage
    text: str
    followers: int
    community: bool


def matches(conditions: Conditions, facts: Facts) -> bool:
    text = facts.text.casefold()
    checks = [
        not conditions.intents or bool(facts.intents & set(conditions.intents)),
        not conditions.sentiments or facts.sentiment in conditions.sentiments,
        not conditions.languages or facts.language in conditions.languages,
        not conditions.platforms or facts.platform in conditions.platforms,
        not conditions.stages or facts.stage in conditions.stages,
        not conditions.keywords or any(k.casefold() in text for k in conditions.keywords),
        conditions.min_followers is None or facts.followers >= conditions.min_followers,
        conditions.community is None or conditions.community == facts.community,
    ]
    return all(checks)


def _default(order: int, queue: str, skills: list[str], **conditions: object) -> Rule:
    return Rule.model_validate(
        {"order": order, "conditions": conditions, "queue": queue, "skills": skills}
    )


DEFAULT_RULES = (
    _default(0, "community", ["community"], community=True),
    _default(1, "pr", ["pr"], sentiments=["negative"], min_followers=HIGH_REACH),
    _default(2, "sales", ["sales"], intents=["purchase_intent"]),
    _default(3, "support-ko", ["support", "ko"], languages=["ko"]),
    _default(4, "support", ["support"], community=False),
)


def route(rules: list[Rule], facts: Facts) -> Rule:
    """The rule that decides; stored ``rules`` must already be sorted by order."""
    for rule in (*rules, *DEFAULT_RULES):
        if matches(rule.conditions, facts):
            return rule
    return DEFAULT_RULES[-1]
