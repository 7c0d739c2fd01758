"""Actual housing (实有房屋): houses with one standard address each (一标)."""
