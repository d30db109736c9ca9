"""Core: the message catalog, settings, periods, column names and Issue; imports nothing else of pipelines."""

__all__ = ["catalog", "columns", "config", "issue", "periods"]
