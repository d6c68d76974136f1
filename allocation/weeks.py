"""Weeks are Monday-to-Sunday in the firm's timezone, named by their Monday (rules §1)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DAYS_PER_WEEK = 7
WEEKDAYS = 5


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week containing ``day``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return day - dt.timedelta(days=day.weekday())


def week_index(day: dt.date, first_monday: dt.date) -> int:
    """How many weeks ``day``'s week lies after ``first_monday`` (negative before it)."""
    return (week_of(day) - first_monday).days // DAYS_PER_WEEK


SECONDS_PER_DAY = 86_400
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def local_day_ordinals(epoch_seconds: np.ndarray, timezone: str) -> np.ndarray:
    """Proleptic Gregorian ordinals of the local calendar dates of UTC instants (seconds).

    Done in one vectorised tz conversion because per-datetime ``astimezone`` is the slowest
    part of bucketing tens of thousands of meetings.
    """
    seconds = np.asarray(epoch_seconds)
    if len(seconds) == 0:
        return np.zeros(0, dtype=np.int64)
    if seconds.dtype.kind == "f":
        seconds = np.floor(seconds)
    utc = pd.DatetimeIndex(seconds.astype(np.int64).astype("datetime64[s]")).tz_localize("UTC")
    local = utc.tz_convert(timezone).tz_localize(None).to_numpy().astype("datetime64[s]")
    return local.astype(np.int64) // SECONDS_PER_DAY + EPOCH_ORDINAL
