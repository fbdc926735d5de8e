"""Who takes a conversation: operator presence, capacity and automatic assignment policies."""
