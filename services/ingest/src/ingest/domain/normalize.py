"""What a source may send: the canonical mention less what ingest works out itself
(language when absent, sentiment, intents, whether the author is the brand, the source).

``MentionIn`` is derived from the contract's ``Mention``, field by field, with the bounds of
everything that enters from outside (``rapport.bounds``): text is ``Clean``, whole numbers are
a ``Count``, times a ``Timestamp``, and the contract's parts (author, engagement) are derived
the same way. So every source, API, webhook or import, maps onto these models, and nothing a
consumer or MongoDB cannot handle gets past them."""

import operator
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache, reduce
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Discriminator, Field, Tag, create_model
from pydantic.fields import FieldInfo

from rapport.bounds import MAX_COUNT, Clean, Timestamp
from rapport.events import Author, Engagement, Mention


class Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _bounded(annotation: Any, extra: Collection[Any] = ()) -> Any:
    """``annotation`` with the bounds of input; ``extra`` constrains its text further."""
    meta: tuple[Any, ...] = ()
    if get_origin(annotation) is Annotated:
        annotation, *rest = get_args(annotation)
        meta = tuple(rest)
    if get_origin(annotation) in (Union, UnionType):
        members = [_bounded(a, extra) if a is not NoneType else a for a in get_args(annotation)]
        return _annotated(reduce(operator.or_, members), meta)
    if annotation is str:
        return _annotated(str, (*meta, *extra, Clean))
    if annotation is int:
        return _annotated(int, (*meta, Field(ge=0, le=MAX_COUNT)))
    if annotation in (AwareDatetime, datetime):
        return _annotated(Timestamp, meta)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return part(annotation)
    return _annotated(annotation, meta)


def _annotated(annotation: Any, meta: tuple[Any, ...]) -> Any:
    return Annotated[(annotation, *meta)] if meta else annotation


def inbound(
    contract: type[BaseModel],
    *,
    leave_out: Collection[str] = (),
    constrain: Mapping[str, FieldInfo] | None = None,
) -> type[Inbound]:
    """``<contract>In``: the contract's fields but ``leave_out``, bounded as input, the text of
    those in ``constrain`` constrained further."""
    fields: dict[str, Any] = {}
    for name, info in contract.model_fields.items():
        if name in leave_out:
            continue
        declared = _annotated(info.annotation, tuple(info.metadata))
        extra = [constrain[name]] if constrain and name in constrain else []
        default = ... if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = part(type(default)).model_validate(default.model_dump())
        fields[name] = (_bounded(declared, extra), default)
    model: type[Inbound] = create_model(f"{contract.__name__}In", __base__=Inbound, **fields)
    return model


@cache
def part(contract: type[BaseModel]) -> type[Inbound]:
    """A part of a contract (the author, the engagement), derived once."""
    return inbound(contract)


AuthorIn = part(Author)
EngagementIn = part(Engagement)


class MentionIn(
    inbound(  # type: ignore[misc]  # a derived base: mypy sees its fields as Any
        Mention,
        leave_out={"sentiment", "intents", "from_brand", "source"},
        constrain={"url": Field(pattern=r"^https?://")},
    )
):
    pass


MAX_BATCH = 500


class MentionBatch(Inbound):
    mentions: Annotated[list[MentionIn], Field(min_length=1, max_length=MAX_BATCH)]


def _shape(body: Any) -> str:
    return "batch" if isinstance(body, dict) and "mentions" in body else "one"


MentionsBody = Annotated[
    Annotated[MentionIn, Tag("one")] | Annotated[MentionBatch, Tag("batch")],
    Discriminator(_shape),
]
