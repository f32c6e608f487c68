"""Privacy exports, kept encrypted at rest in the database of the service that holds the data.

A service answering an export request stores its part here (:mod:`rapport.exports.store`),
sealed with AES-256-GCM under the deployment's export key (:mod:`rapport.exports.keys`), and
announces on ``privacy.requests`` only how many documents there are and where to fetch them:
``GET /v1/privacy/exports/{request_id}`` on that service (:mod:`rapport.exports.api`, mounted by
every service), for the ``privacy`` scope, audited. Stored parts expire (30 days by default) and
go with the person's erasure.
"""
