"""Stand-ins and runners shared by the tests and the benchmark, never by production: the
Firestore emulator, a loopback HubSpot, and a real webhook process to send signed deliveries
to. (``bench/`` may not import ``tests/``; both may import this.)"""
