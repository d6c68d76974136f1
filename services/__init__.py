"""Use cases shared by the console pages, the webhook and the command line (``cli.py``).

``Services`` (in ``services.facade``) is the one handle the entry points hold.
"""

from services.facade import Services

__all__ = ["Services"]
