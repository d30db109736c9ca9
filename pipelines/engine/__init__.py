"""Engine: status rules, series, the progress judgement and the roll-up; pure (no SQLAlchemy, no files, today given)."""

__all__ = ["assessment", "evaluation", "progress", "rollup", "series", "status_rule"]
