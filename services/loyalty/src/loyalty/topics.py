LOYALTY_TOPIC = "loyalty.events"
COMMERCE_TOPIC = "commerce.events"
