"""One contract every store keeps; each store's test module subclasses ``StoreContract``."""
