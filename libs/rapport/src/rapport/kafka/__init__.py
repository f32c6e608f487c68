"""Kafka: an acknowledged producer, the consumer loop with dead letters, topic set-up."""
