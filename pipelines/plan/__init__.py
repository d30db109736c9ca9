"""Plan: the action plan's records, reading and checking a plan folder, and where the plan stands (pure)."""

__all__ = ["checks", "folder", "records", "standing"]
