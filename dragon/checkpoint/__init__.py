"""Checkpoint storage in Swift: content-addressed chunks and self-describing containers."""
