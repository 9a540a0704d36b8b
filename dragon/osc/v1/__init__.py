"""Commands of the ``openstack dr`` plugin for API version 1."""
