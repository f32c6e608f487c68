"""Suggested replies: a template per intent and language, filled from the case and the
customer's profile. The agent edits and sends it; nothing is ever sent on its own."""

from dataclasses import dataclass

from rapport.events import Intent, RelationshipStage

TEMPLATES: dict[tuple[Intent, str], str] = {
    (Intent.COMPLAINT, "en"): (
        "Hi {name}, we're sorry about this{loyal}. We'd like to make it right: could you send "
        "us a direct message with your order number? (ref {ref})"
    ),
    (Intent.QUESTION, "en"): (
        "Hi {name}, thanks for asking{loyal}! Here is what we can tell you: … (ref {ref})"
    ),
    (Intent.PURCHASE_INTENT, "en"): (
        "Hi {name}, great to hear you're interested! A direct message gets you our best "
        "advice on the right model. (ref {ref})"
    ),
    (Intent.CHURN_RISK, "en"): (
        "Hi {name}, we'd hate to lose you{loyal}. Could we talk it over by direct message? "
        "(ref {ref})"
    ),
    (Intent.PRAISE, "en"): "Thank you so much, {name}{loyal}! This made our day.",
    (Intent.OTHER, "en"): "Hi {name}, thanks for reaching out. How can we help? (ref {ref})",
    (Intent.COMPLAINT, "ko"): (
        "{name}님, 불편을 드려 죄송합니다. 주문 번호를 DM으로 보내주시면 바로 도와드리겠습니다. "
        "(참조 {ref})"
    ),
    (Intent.QUESTION, "ko"): "{name}님, 문의해 주셔서 감사합니다. (참조 {ref})",
    (Intent.PRAISE, "ko"): "{name}님, 따뜻한 말씀 정말 감사합니다!",
    (Intent.OTHER, "ko"): "{name}님, 연락 주셔서 감사합니다. 무엇을 도와드릴까요? (참조 {ref})",
}
LOYAL = {
    RelationshipStage.FAN: " and for being such a loyal fan",
    RelationshipStage.EVANGELIST: " and for everything you do for our community",
    RelationshipStage.AT_RISK: ", especially after all this time with us",
}


@dataclass(frozen=True)
class Suggestion:
    intent: Intent
    language: str
    text: str


def suggest(
    intents: list[Intent],
    language: str | None,
    handle: str | None,
    stage: RelationshipStage | None,
    ref: str,
) -> list[Suggestion]:
    wanted = language if language in {"en", "ko"} else "en"
    name = f"@{handle}" if handle else {"en": "there", "ko": "고객"}[wanted]
    loyal = LOYAL.get(stage, "") if stage is not None and wanted == "en" else ""
    found: list[Suggestion] = []
    for intent in [*intents, Intent.OTHER]:
        template = TEMPLATES.get((intent, wanted))
        if template is not None and all(s.intent is not intent for s in found):
            text = template.format(name=name, loyal=loyal, ref=ref)
            found.append(Suggestion(intent, wanted, text))
    return found
