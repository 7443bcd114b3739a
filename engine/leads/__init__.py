"""Leads: campaign setup, dispositions, the attempt lifecycle, limits, callbacks and the hopper."""
