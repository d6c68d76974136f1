"""Adapters to the outside world: stores, HubSpot, Employment Hero, Google Chat, holidays.

Importing this package connects to nothing; clients are built by the entry points.
"""
