"""The adapters' own errors. Those a port promises live with the ports (``services.errors``)."""


class SignatureRejected(Exception):
    """A webhook call's signature is missing, stale or wrong; the message says which."""
