"""The JSON API under /api/v1, and the marketplace's inbound endpoint."""
