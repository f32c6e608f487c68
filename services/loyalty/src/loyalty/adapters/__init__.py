"""loyalty's MongoDB adapters, one module per aggregate, and the indexes they need."""

from rapport.mongo import in_transaction as in_transaction
