"""How the engine reaches a run's OpenStack services (openstacksdk & co)."""
