"""The one exception the allocation core raises."""


class InvalidInput(ValueError):
    """A record handed to the core breaks a rule; the message names the record."""
