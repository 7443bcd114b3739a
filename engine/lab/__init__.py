"""The lab: a simulated carrier (a second Asterisk) and baresip phones, for tests and demos."""
