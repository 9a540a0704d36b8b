"""The built-in resource-type plugins: ``server``, ``volume``, ``swift_container``.

They sit above ``dragon.protection`` and ``dragon.recovery`` (they use their
discovery, data actions and restore steps) and are reached only through the
``dragon.resource_types`` entry points, never imported by the core: that is
what keeps the packages pointing one way (``tests/unit/test_layering.py``).
``dragon.resource_types`` holds the interface and the loader they plug into.
"""
