"""Actual organisations (实有单位): enterprises, shops, restaurants, social organisations."""
