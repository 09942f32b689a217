"""Smoke checks and before/after comparisons; their one table is in table.py."""
