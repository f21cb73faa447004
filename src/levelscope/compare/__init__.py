"""Compare an area with the median and with places like it."""

from levelscope.compare.profile import AreaProfile, area_profile, latest_by_level

__all__ = ["AreaProfile", "area_profile", "latest_by_level"]
