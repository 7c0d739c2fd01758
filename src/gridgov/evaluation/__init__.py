"""Objective evaluation from the trail (客观评价)."""
