"""Create the catalogue's topics (idempotently) on a broker."""

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError

from rapport.topics import all_topic_specs

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str,
    specs: list[tuple[str, int, int]] | None = None,
    *,
    replication_factor: int = 1,
    timeout_s: float = 60.0,
) -> list[str]:
    """Create the missing topics of ``specs`` (default: the catalogue); returns those created."""
    specs = all_topic_specs() if specs is None else specs
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await _start_with_retry(admin, timeout_s)
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name,
                partitions,
                replication_factor,
                topic_configs={"retention.ms": str(retention)},
            )
            for name, partitions, retention in specs
            if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
            log.info("created topics", extra={"topics": [t.name for t in missing]})
        return [t.name for t in missing]
    finally:
        await admin.close()


async def _start_with_retry(admin: AIOKafkaAdminClient, timeout_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            await admin.start()
            return
        except KafkaConnectionError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.5)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Create Rapport's topics from the catalogue.")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args()
    created = asyncio.run(ensure_topics(args.bootstrap, replication_factor=args.replication_factor))
    print(f"topics ready ({len(created)} created)")


if __name__ == "__main__":
    main()
