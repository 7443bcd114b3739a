"""The one exception type for bad compliance input (hours, keys, data tables)."""


class ComplianceDataError(ValueError):
    """Bad calling-hours input, window key or data table, phrased as one line naming the fix."""
