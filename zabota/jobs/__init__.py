"""Durable background jobs stored in the database (outbound delivery, timers, reminders)."""
