"""UTC time as Dragon stores it: naive datetimes that mean UTC."""

import datetime


def utcnow() -> datetime.datetime:
    """Now in UTC, without a zone (the database columns hold UTC)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
