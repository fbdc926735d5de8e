"""Domain events: the append-only audit log and the outbox for every later consumer."""
