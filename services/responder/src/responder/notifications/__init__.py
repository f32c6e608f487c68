"""Crisis alerts and SLA breaches delivered to people: Slack-compatible webhooks and email.

A planner turns each recent alert (per status) and breach into a *notice* once, and the notice
into one delivery record per channel and recipient of its queue's route (or the default route),
under a unique key; a sender claims a due record with a lease, sends it, and marks it sent,
retries it with backoff, or parks it with the reason."""
