"""Intake: a department's file becomes checked rows — read, validate, ingest; the templates they fill; the build."""

__all__ = ["build", "ingest", "read", "template", "validate"]
