"""Recovery: relaunch a protected workload in the target region from a checkpoint."""
