"""The old home of ``MongoProfiles``, kept only for the two callers outside services/profiles
(``tests/support.py``, ``benchmarks/mongo_round_trips.py``); new code imports
``profiles.adapters.profile_store`` and ``profiles.ports``."""

from profiles.adapters.profile_store import MongoProfiles
from profiles.ports import profile_id_for

__all__ = ["MongoProfiles", "profile_id_for"]
