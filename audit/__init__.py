"""Watchdog findings on the archive (missing, late, changed, …) and coverage."""
