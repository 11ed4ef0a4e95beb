"""Use cases: one function each. Load through the store, apply the domain, save, commit."""
