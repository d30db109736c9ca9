"""Pipelines: turn department files into trusted numbers, and numbers into judgements."""
