"""Maintenance over every project's checkpoints: chunk gc and checks, as Dragon's service user.

It sits above ``dragon.checkpoint`` (storage, which knows no database and
no Keystone): it picks the projects from database rows and reaches their
Swift accounts through ``dragon.identity``.
"""
