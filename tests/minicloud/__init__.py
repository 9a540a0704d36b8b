"""The minicloud: real OpenStack services in two regions on loopback, for tests and the demo."""
