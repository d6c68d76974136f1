"""Rules §3 for every adviser at once, and the name order of the §6 tie-break.

Advisers often share the same set of packages or household types, so each distinct set is
normalised and asked about a deal once, and the answer is spread to its advisers by index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from allocation import reasons
from allocation.model import Deal, normalise
from allocation.snapshot import Snapshot


@dataclass(frozen=True, eq=False)
class Eligibility:
    taking: np.ndarray  # bool per adviser
    package_group: np.ndarray  # per adviser, index into package_sets
    package_sets: tuple[frozenset[str], ...]  # normalised names
    household_group: np.ndarray  # per adviser, index into household_sets
    household_sets: tuple[frozenset[str], ...]  # normalised; empty = every household
    exempt_packages: frozenset[str]  # normalised
    name_order: np.ndarray  # adviser rows sorted by name (case-insensitive), then id
    name_rank: np.ndarray  # per adviser, its position in name_order


def eligibility_of(snapshot: Snapshot) -> Eligibility:
    memo = snapshot.memo
    if memo.eligibility is None:
        memo.eligibility = _build(snapshot)
    return memo.eligibility


def _groups(sets: Iterable[frozenset[str]]) -> tuple[np.ndarray, tuple[frozenset[str], ...]]:
    index: dict[frozenset[str], int] = {}
    group = np.fromiter((index.setdefault(s, len(index)) for s in sets), dtype=np.int64)
    normalised = tuple(frozenset(normalise(name) for name in s) for s in index)
    return group, normalised


def _build(snapshot: Snapshot) -> Eligibility:
    advisers = snapshot.advisers
    package_group, package_sets = _groups(a.service_packages for a in advisers)
    household_group, household_sets = _groups(a.household_types for a in advisers)
    keys = [(a.name.casefold(), a.id) for a in advisers]
    order = sorted(range(len(advisers)), key=keys.__getitem__)
    name_order = np.array(order, dtype=np.int64)
    name_rank = np.empty_like(name_order)
    name_rank[name_order] = np.arange(len(order))
    return Eligibility(
        taking=np.fromiter(
            (a.taking_on_clients for a in advisers), dtype=bool, count=len(advisers)
        ),
        package_group=package_group,
        package_sets=package_sets,
        household_group=household_group,
        household_sets=household_sets,
        exempt_packages=frozenset(normalise(p) for p in snapshot.rules.household_exempt_packages),
        name_order=name_order,
        name_rank=name_rank,
    )


def exclusion_codes(eligibility: Eligibility, deal: Deal) -> np.ndarray:
    """Per adviser, the first rule of §3.1-3 it fails for ``deal``: ``reasons.EXCLUSIONS`` codes."""
    package = normalise(deal.service_package)
    offers = np.array([package in s for s in eligibility.package_sets], dtype=bool)
    household = normalise(deal.household_type)
    if household and package not in eligibility.exempt_packages:
        accepts = np.array(
            [not s or household in s for s in eligibility.household_sets], dtype=bool
        )
    else:
        accepts = np.ones(len(eligibility.household_sets), dtype=bool)
    codes = np.where(
        ~eligibility.taking,
        reasons.EXCLUSIONS.index(reasons.NOT_TAKING_CLIENTS),
        np.where(
            ~offers[eligibility.package_group],
            reasons.EXCLUSIONS.index(reasons.PACKAGE_MISMATCH),
            np.where(
                ~accepts[eligibility.household_group],
                reasons.EXCLUSIONS.index(reasons.HOUSEHOLD_MISMATCH),
                0,
            ),
        ),
    )
    return np.asarray(codes, dtype=np.int8)
