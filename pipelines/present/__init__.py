"""Present: pure builders of what readers see — tables, charts, stories, formatting, boards — for pages and the pack."""

__all__ = ["charts", "export", "formatting", "methodology", "story", "submission_board", "submit_view", "tables",
           "timeliness"]
