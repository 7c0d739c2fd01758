"""Accounts, sign-in and the principal of each request."""
