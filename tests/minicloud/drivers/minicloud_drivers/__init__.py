"""Test-only drivers for the Dragon minicloud (never for production use)."""
