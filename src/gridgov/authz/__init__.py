"""Who may do what, and which rows they may see."""
