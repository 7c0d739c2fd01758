"""Grid re-division proposals and hand-over."""
