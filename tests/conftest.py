"""Settings every test shares."""

from __future__ import annotations

from hypothesis import settings

# Property tests check behaviour, not speed (speed lives in bench/): Hypothesis's default
# 200 ms per-example deadline fails them on a busy shared machine for no fault of the code.
settings.register_profile("console", deadline=None)
settings.load_profile("console")
