"""Edges compatible with the vendor's own APIs (docs/integrations.md)."""
