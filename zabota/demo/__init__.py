"""Reproducible demo data: a fictional online shop's care team, customers and conversation history."""
