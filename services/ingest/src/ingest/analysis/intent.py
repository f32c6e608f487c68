"""What the author wants: complaint, question, purchase intent, praise, feature request,
churn risk, spam, other. More than one may apply.

The foundation's stand-in rules; the ingest issue replaces them with the evaluated classifier.
"""

from rapport.events import Intent, Sentiment, SentimentLabel


def classify(text: str, language: str, sentiment: Sentiment) -> list[Intent]:
    intents = []
    if sentiment.label is SentimentLabel.NEGATIVE:
        intents.append(Intent.COMPLAINT)
    if "?" in text:
        intents.append(Intent.QUESTION)
    if sentiment.label is SentimentLabel.POSITIVE:
        intents.append(Intent.PRAISE)
    return intents or [Intent.OTHER]
