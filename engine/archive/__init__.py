"""Recording archive maintenance: checking that every recorded call is on disk, unaltered."""
