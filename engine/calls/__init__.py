"""The call path: originate over a trunk, connect the answer to a nailed-up agent, record it."""
