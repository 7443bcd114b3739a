"""Compliance gates: calling windows by the callee's local time, and the national DNC registry.

- ``zones``: candidate IANA time zones and state for a contact (ZIP first, then NANP prefix).
- ``windows``: campaign hours, state rules and holidays -> is a contact dialable at an instant.
- ``registry``: the national do-not-call registry as a sorted, memory-mapped numpy array.
"""
