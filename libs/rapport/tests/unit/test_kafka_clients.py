"""Every Kafka client in the platform is built by the shared library, with its guarantees."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
KAFKA = REPO / "libs/rapport/src/rapport/kafka"
BUILT_BY = {
    "AIOKafkaProducer": {KAFKA / "producer.py"},
    "AIOKafkaConsumer": {
        KAFKA / "consumer.py",
        KAFKA / "recent.py",
        KAFKA.parent / "testing.py",
        KAFKA.parent / "revocations.py",
        KAFKA.parent / "dlq" / "reader.py",
    },
    "AIOKafkaAdminClient": {KAFKA / "admin.py", KAFKA.parent / "testing.py"},
}


def test_kafka_clients_are_only_built_where_acks_tls_and_sasl_are_applied() -> None:
    sources = [*REPO.glob("libs/*/src/**/*.py"), *REPO.glob("services/*/src/**/*.py")]
    elsewhere = [
        f"{path.relative_to(REPO)}: {client}"
        for path in sources
        for client, builders in BUILT_BY.items()
        if path not in builders and re.search(rf"\b{client}\(", path.read_text())
    ]
    assert sources
    assert elsewhere == [], "use EventProducer, ConsumerLoop or ensure_topics with security="
