"""Version 1 of the Dragon API client."""
