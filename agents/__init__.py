"""The people side: agent and supervisor registry, the agent session state machine, phone flows."""
