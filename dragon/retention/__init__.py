"""Retention: which checkpoints of a policy to keep, and pruning the rest."""
