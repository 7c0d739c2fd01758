"""Background work: after-commit jobs and the scheduler."""
