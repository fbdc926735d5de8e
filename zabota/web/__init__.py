"""Operator UI edge: server-rendered pages (Jinja2 + htmx) that call the same domain actions."""
