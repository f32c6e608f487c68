"""The platforms' own APIs behind the ``Connector`` port: X API v2 (``x``), Meta's Graph API
(``meta``), and the generic signed webhook (``adapters.connector_client``) for every platform
no brand account answers on. ``platforms.PlatformConnectors`` picks one per reply.

Failures are ``ports.DeliveryFailed``: transient (network, 5xx: retried with backoff), rate
limited (``retry_at``: rescheduled when the platform says), or permanent (refused: never
retried). A reply leased more than once may already have been posted by the earlier try: for
public replies the connector looks for that post first; for direct messages it cannot (see the
service README)."""
