"""Shared building blocks: database, base model, errors, pagination, clock."""
