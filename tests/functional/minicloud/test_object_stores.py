# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Each region's ``object-store`` leads where the Swift topology says.

Shared (the default): one cluster, so what RegionOne stores RegionTwo
reads.  Per region (``MINICLOUD_SWIFT_TOPOLOGY=per-region``): two clusters
sharing nothing, so an object stored through RegionOne's catalog is
unknown to RegionTwo's.  That a site's own Swift is lost with the site is
checked by the site-loss recovery test, which stops RegionOne anyway.
"""
import openstack.exceptions

from tests.minicloud.layout import REGIONS


def _has_container(object_store, name):
    try:
        object_store.get_container_metadata(name)
        return True
    except openstack.exceptions.NotFoundException:
        return False


def test_each_region_reaches_the_object_store_of_its_topology(
        cloud, unique_name):
    one, two = (cloud.connect('demo', region=r).object_store
                for r in REGIONS)
    one.create_container(unique_name)
    try:
        one.upload_object(container=unique_name, name='probe',
                          data=b'stored at RegionOne')
        seen_from_two = _has_container(two, unique_name)
        shared = cloud.layout.swift_topology == 'shared'
        assert seen_from_two == shared, cloud.layout.swift_topology
        if shared:
            assert two.download_object('probe', container=unique_name) == \
                b'stored at RegionOne'
    finally:
        one.delete_object('probe', container=unique_name,
                          ignore_missing=True)
        one.delete_container(unique_name, ignore_missing=True)
