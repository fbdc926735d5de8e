"""Zabota: self-hosted customer care and retention platform."""

__version__ = "0.1.0"
