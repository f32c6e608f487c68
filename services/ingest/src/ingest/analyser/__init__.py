"""ingest's analysis stage: language, sentiment and intents of accepted mentions, in batches on
every core, after the request has been answered (``worker``, ``pending``, ``pool``).

It runs in the API's process by default (``RAPPORT_ROLE=all``) and as a process of its own with
``python -m ingest.analyser`` (``RAPPORT_ROLE=analyser``); any number of either share the work.
"""
