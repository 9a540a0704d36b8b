"""Schedules: cron ticks in time zones, claimed by the engines, and the protection queue."""
