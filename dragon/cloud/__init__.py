"""How the engine reaches the OpenStack services of a run (openstacksdk and friends)."""
