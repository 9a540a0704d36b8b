"""The ``openstack dr`` plugin of python-openstackclient."""
