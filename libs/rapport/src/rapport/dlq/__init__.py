"""Dead letters an operator can list, inspect, replay and drop.

``letters`` reads a dead letter's headers, ``reader`` reads dead-letter topics without a
consumer group, ``audit`` records what was done to each letter in the service's MongoDB,
``operations`` puts them together, ``api`` serves them under ``/v1/admin/dead-letters`` on
every service, and ``cli`` is ``rapport dlq`` talking to that API.
"""
