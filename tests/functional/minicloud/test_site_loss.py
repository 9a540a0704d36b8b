"""Losing region A leaves Keystone, Swift and region B serving."""
import hashlib

import pytest

from tests.minicloud import resources
from tests.minicloud.layout import REGIONS
from tests.minicloud.services import http_answers

PRIMARY, BACKUP = REGIONS


@pytest.mark.site_loss
def test_backup_site_and_swift_serve_after_the_primary_is_lost(
        cloud, unique_name):
    before = cloud.connect('demo', region=PRIMARY)
    container = unique_name
    payload = resources.image_bytes(size=3 * 1024 * 1024 + 7,
                                    seed=unique_name.encode())
    before.object_store.create_container(container)
    before.object_store.upload_object(container, 'written-before-loss',
                                      data=payload)
    lo = cloud.layout
    try:
        cloud.minicloud.stop_site(PRIMARY)
        for service in cloud.minicloud.table.region(PRIMARY):
            assert not cloud.minicloud.procs.alive(service.name)
        assert not http_answers(lo.url('nova', PRIMARY))
        assert not http_answers(lo.url('glance', PRIMARY) + '/healthcheck')

        after = cloud.connect('demo', region=BACKUP)
        assert after.identity.get_token()
        data = after.object_store.download_object('written-before-loss',
                                                  container=container)
        assert hashlib.sha256(data).digest() == \
            hashlib.sha256(payload).digest()

        net = after.network.create_network(name=unique_name)
        after.network.create_subnet(network_id=net.id, ip_version=4,
                                    cidr='10.99.0.0/24')
        server = after.compute.create_server(
            name=unique_name,
            image_id=after.image.find_image(resources.IMAGE_NAME).id,
            flavor_id=after.compute.find_flavor('m1.tiny').id,
            networks=[{'uuid': net.id}])
        server = after.compute.wait_for_server(server, status='ACTIVE',
                                               interval=0.5, wait=180)
        after.compute.delete_server(server)
        after.compute.wait_for_delete(server, wait=120)
        after.network.delete_network(net)
    finally:
        cloud.minicloud.up()   # bring the primary back for the next run
        after = cloud.connect('demo', region=BACKUP)
        after.object_store.delete_object('written-before-loss',
                                         container=container,
                                         ignore_missing=True)
        after.object_store.delete_container(container, ignore_missing=True)
