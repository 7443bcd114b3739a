"""Live campaign metrics: SQL aggregates over the attempts, and their Prometheus exposition."""
