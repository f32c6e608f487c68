"""Participation segment and relationship stage, from a profile's signals at "now".

Segment: silent observer (never posted: known to the CRM only), frequent creator (at least
``frequent_creator_mentions`` mentions in the last ``segment_window_days``), otherwise
occasional participant.

Stage, the first rule that holds (thresholds in ``Rules``):

1. at risk: a valued customer (lifetime purchases ≥ ``at_risk_min_value``) whose sentiment
   trend is ≤ ``at_risk_max_trend``;
2. detractor: repeated negative mentions (faded count ≥ ``detractor_min_negative``) and a
   trend ≤ ``detractor_max_trend``;
3. evangelist: recommends, defends, answers others or refers (faded advocacy acts ≥
   ``evangelist_min_advocacy``) with a trend ≥ ``evangelist_min_trend``;
4. fan: repeated, specific, positive mentions (faded count ≥ ``fan_min_positive``) spread over
   at least ``fan_min_span_hours``, with a trend ≥ ``fan_min_trend``;
5. otherwise casual commenter.

The brand's own accounts stay casual commenters. Stages and segments are re-evaluated whenever
something happens to the profile (a mention, purchase, referral, case change, merge).
"""

from datetime import datetime, timedelta

from profiles.domain.rules import Rules
from profiles.domain.scores import Signals
from rapport.events import ParticipationSegment, RelationshipStage


def segment(found: Signals, now: datetime, rules: Rules) -> ParticipationSegment:
    if found.mentions == 0:
        return ParticipationSegment.SILENT_OBSERVER
    since = now - timedelta(days=rules.segment_window_days)
    in_window = sum(1 for at in found.recent if since <= at)
    if in_window >= rules.frequent_creator_mentions:
        return ParticipationSegment.FREQUENT_CREATOR
    return ParticipationSegment.OCCASIONAL_PARTICIPANT


def stage(found: Signals, rules: Rules) -> RelationshipStage:
    if found.customer_value >= rules.at_risk_min_value and found.trend <= rules.at_risk_max_trend:
        return RelationshipStage.AT_RISK
    if found.negative >= rules.detractor_min_negative and found.trend <= rules.detractor_max_trend:
        return RelationshipStage.DETRACTOR
    if (
        found.advocacy_acts >= rules.evangelist_min_advocacy
        and found.trend >= rules.evangelist_min_trend
    ):
        return RelationshipStage.EVANGELIST
    if (
        found.positive >= rules.fan_min_positive
        and found.positive_span >= timedelta(hours=rules.fan_min_span_hours)
        and found.trend >= rules.fan_min_trend
    ):
        return RelationshipStage.FAN
    return RelationshipStage.CASUAL_COMMENTER
