"""Dialing resources: which caller ID to present and which trunk may carry the next call.

- ``caller_id``: ``CallerIdPool``, local-presence caller ID from a campaign's verified numbers.
- ``trunks``: ``TrunkLimiter`` / ``TrunkPool``, per-trunk channel and calls-per-second limits.
"""
