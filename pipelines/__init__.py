"""Pipelines: turn department files into trusted numbers, and numbers into judgements (rooms by role, see README)."""

__all__ = ["briefing", "cli", "core", "engine", "intake", "plan", "present", "store", "workflow"]
