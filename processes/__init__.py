"""Process managers: followers of the log that act on it (append events), unlike projections."""
