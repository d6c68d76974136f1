"""The demo firm's people: fixed, so every demo store shows the same advisers.

Columns: name, pod, region, packages, households, taking on clients, and a "busyness" that
sets how full their calendar is (0 = empty, 1 = booked to their limit in the near weeks).
Dates that depend on today (a future starter, a leaver) are set in ``demo_data``.
"""

from __future__ import annotations

from dataclasses import dataclass

SEED_TO_B = ("Seed", "Series A", "Series B")
SEED_TO_C = (*SEED_TO_B, "Series C")
ALL_PACKAGES = (*SEED_TO_C, "IPO")
BOTH = ("Single", "Couple")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    pod: str
    region: str | None  # None: synced from HubSpot with no region yet (the warnings show)
    packages: tuple[str, ...]
    households: tuple[str, ...] = BOTH
    busyness: float = 0.7
    taking: bool = True
    role: str = ""  # "starter", "leaver", "part_time" get dated records in demo_data


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("Olivia Nguyen", "Standard Pod", "NSW", SEED_TO_C, busyness=0.95),
    DemoPerson("Jack Thompson", "Standard Pod", "NSW", SEED_TO_B, busyness=0.6),
    DemoPerson("Charlotte Wilson", "Team Pod", "NSW", ALL_PACKAGES, ("Single",), busyness=0.9),
    DemoPerson("William Brown", "Standard Pod", "NSW", SEED_TO_B, busyness=0.35),
    DemoPerson("Amelia Taylor", "Solo Adviser", "NSW", SEED_TO_C, busyness=0.8),
    DemoPerson("Noah Martin", "Standard Pod", "NSW", SEED_TO_B, ("Couple",), busyness=0.7),
    DemoPerson("Isla Anderson", "Team Pod", "NSW", SEED_TO_C, busyness=1.0),
    DemoPerson("Oliver Harris", "Standard Pod", "NSW", SEED_TO_B, busyness=0.2, role="starter"),
    DemoPerson("Mia Clarke", "Standard Pod", "NSW", SEED_TO_B, busyness=0.5, role="part_time"),
    DemoPerson("Lucas White", "Solo Adviser", "NSW", ALL_PACKAGES, busyness=0.6, taking=False),
    DemoPerson("Grace Robinson", "Standard Pod", "VIC", SEED_TO_C, busyness=0.75),
    DemoPerson("Henry Walker", "Team Pod", "VIC", SEED_TO_B, busyness=0.85),
    DemoPerson("Chloe Young", "Standard Pod", "VIC", SEED_TO_B, ("Single",), busyness=0.3),
    DemoPerson("Thomas King", "Solo Adviser", "VIC", SEED_TO_C, busyness=0.9),
    DemoPerson("Ruby Wright", "Standard Pod", "VIC", SEED_TO_B, busyness=0.55),
    DemoPerson("James Scott", "Standard Pod", "VIC", SEED_TO_B, busyness=0.65, role="leaver"),
    DemoPerson("Sophie Green", "Team Pod", "VIC", ALL_PACKAGES, ("Single",), busyness=0.7),
    DemoPerson("Ethan Baker", "Standard Pod", "QLD", SEED_TO_B, busyness=0.45),
    DemoPerson("Zoe Adams", "Solo Adviser", "QLD", SEED_TO_C, busyness=0.8),
    DemoPerson("Liam Nelson", "Standard Pod", "QLD", SEED_TO_B, ("Couple",), busyness=0.9),
    DemoPerson("Ava Mitchell", "Team Pod", "QLD", SEED_TO_C, busyness=0.6, taking=False),
    DemoPerson("Mason Campbell", "Standard Pod", "QLD", SEED_TO_B, busyness=0.25),
    DemoPerson("Harper Roberts", "Standard Pod", None, SEED_TO_B, busyness=0.7),
    DemoPerson("Leo Carter", "Solo Adviser", None, SEED_TO_C, busyness=0.5),
    DemoPerson("Ella Phillips", "Team Pod", "WA", SEED_TO_B, ("Single",), busyness=0.85),
)
