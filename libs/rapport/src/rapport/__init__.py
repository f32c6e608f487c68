"""Rapport's shared library: contracts, messaging, storage, settings, auth and telemetry."""
