"""Workflow: accounts, the review of submissions and upload attempts; every right is checked here, not in pages."""

__all__ = ["accounts", "attempts", "review"]
