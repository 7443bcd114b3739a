"""The engine's HTTP side: the API agents' tools and scripts use, and metrics."""
