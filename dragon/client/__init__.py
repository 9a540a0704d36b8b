"""Python client for the Dragon workload protection API."""
