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

"""What a real in-place restore refuses, each reason said."""

import pytest

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import checks
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery import selection
from tests.unit.recovery.in_place import fakes

IN_USE = {'status': 'in-use', 'size_gib': 1,
          'attachments': [{'server_id': 'srv-web', 'device': '/dev/vdb'}]}


def _manifest(kind='volume'):
    manifest = fakes.manifest()
    manifest['data'] = {'volume_data': {'kind': kind, 'size': 1 << 30}}
    return manifest


def _reasons(now, resources=('vol-data',), shrink=False, kind='volume',
             graph=None):
    graph = graph or fakes.graph()
    lookup = fakes.lookup_of(now)
    plan = plan_mod.build(graph, selection.select(graph, list(resources)),
                          lookup)
    return checks.reasons(graph, _manifest(kind), plan, lookup, shrink)


def test_a_volume_as_it_was_may_be_swapped():
    assert _reasons({'vol-data': IN_USE}) == []
    assert _reasons({'vol-data': {**IN_USE, 'status': 'available',
                                  'attachments': []}}) == []


def test_a_grown_volume_needs_the_flag_that_names_the_consequence():
    grown = {'vol-data': {**IN_USE, 'size_gib': 2}}
    [reason] = _reasons(grown)
    assert 'size 1 GiB at the checkpoint, 2 GiB now' in reason
    assert 'shrinks it back' in reason and 'shrink_volumes' in reason
    assert _reasons(grown, shrink=True) == []


@pytest.mark.parametrize('now,words', [
    ({**IN_USE, 'status': 'error'}, 'is error: an in-place restore needs it '
                                     'available or in-use'),
    ({**IN_USE, 'attachments': IN_USE['attachments'] * 2},
     'attached to 2 servers'),
])
def test_volumes_that_cannot_be_swapped(now, words):
    [reason] = _reasons({'vol-data': now})
    assert words in reason


def test_a_replicated_volume_has_no_data_to_restore():
    [reason] = _reasons({'vol-data': IN_USE}, kind='replicated')
    assert 'holds no data to restore it from (replicated)' in reason


def test_servers_gone_members_and_other_types_are_each_named():
    found = _reasons({'vol-data': IN_USE, 'srv-web': {'status': 'ACTIVE'}},
                     resources=())
    text = ' | '.join(found)
    # srv-web has no image now (it boots from a volume) and the
    # checkpoint holds none of it.
    assert 'server web (srv-web) boots from a volume now, not from an ' \
        'image as at the checkpoint' in text
    assert 'server web (srv-web): the checkpoint holds no image of it' in text
    # srv-db is gone: recreating it needs an image of its disk.
    assert 'server db (srv-db) is gone from the region and the checkpoint ' \
        'holds no image of its disk to recreate it from' in text
    assert 'in-place restore of OS::Swift::Container is not supported' in text
    assert len(found) == 4


ROOT = {'status': 'in-use', 'size_gib': 1,
        'attachments': [{'server_id': 'srv-web', 'device': '/dev/vda'}]}
BFV = {'status': 'ACTIVE', 'flavor': 'm1.small', 'image_id': None}


def test_a_boot_volume_on_its_server_may_be_restored():
    graph = fakes.boot_graph()
    for resources in (['vol-data'], ['srv-web']):
        assert _reasons({'vol-data': ROOT, 'srv-web': BFV}, resources,
                        graph=graph) == []
    assert _reasons({'vol-data': ROOT, 'srv-web': {**BFV,
                                                   'status': 'SHUTOFF'}},
                    graph=graph) == []


@pytest.mark.parametrize('volume,server,kind,words', [
    ({**ROOT, 'size_gib': 2}, BFV, 'volume',
     'size 1 GiB at the checkpoint, 2 GiB now'),
    (ROOT, BFV, 'cinder_backup', 'holds no bytes of it (cinder_backup)'),
    ({**ROOT, 'status': 'available', 'attachments': []}, BFV, 'volume',
     'is available and not attached to server srv-web'),
    ({**ROOT, 'attachments': [{'server_id': 'srv-db'}]}, BFV, 'volume',
     'not attached to server srv-web'),
    (ROOT, {**BFV, 'status': 'PAUSED'}, 'volume',
     'server srv-web, which boots from it, is PAUSED'),
    (ROOT, {**BFV, 'image_id': 'img-1'}, 'volume',
     'server srv-web boots from an image now'),
])
def test_a_boot_volume_that_cannot_be_re_imaged(volume, server, kind, words):
    found = _reasons({'vol-data': volume, 'srv-web': server}, kind=kind,
                     graph=fakes.boot_graph())
    assert len(found) == 1 and words in found[0], found


def test_a_boot_volume_is_not_shrunk_even_with_the_flag():
    [reason] = _reasons({'vol-data': {**ROOT, 'size_gib': 2},
                         'srv-web': BFV}, shrink=True, graph=fakes.boot_graph())
    assert 'not built yet' in reason


def test_a_gone_boot_volume_under_a_server_still_there_is_refused():
    for resources in (['vol-data'], ['srv-web']):
        [reason] = _reasons({'srv-web': BFV}, resources,
                            graph=fakes.boot_graph())
        assert reason.startswith(
            'volume data (vol-data) is gone from the region and is the boot '
            'volume of server srv-web: a boot volume is recreated in place '
            'only with its server, when that is gone too'), reason


def test_refuse_raises_409_with_every_reason():
    graph = fakes.graph()
    lookup = fakes.lookup_of({})
    plan = plan_mod.build(graph, selection.select(graph, []), lookup)
    with pytest.raises(exception.InPlaceRefused) as refused:
        checks.refuse(graph, _manifest(), plan, lookup)
    assert refused.value.code == 409
    assert str(refused.value).startswith(
        'In-place restore refused, nothing was changed: ')
    # Both servers, each without an image of its disk to recreate it
    # from; the data volume is recreated from its checkpoint data.
    for server in ('web (srv-web)', 'db (srv-db)'):
        assert ('server %s is gone from the region and the checkpoint holds '
                'no image of its disk' % server) in str(refused.value)
    assert 'volume data' not in str(refused.value)


def test_a_gone_volume_without_data_cannot_be_recreated():
    [reason] = _reasons({}, kind='replicated')
    assert 'volume data (vol-data) is gone from the region and the ' \
        'checkpoint holds no data to recreate it from (replicated)' in reason


# -- servers rebuilt in place
WEB = {'status': 'ACTIVE', 'flavor': 'm1.small', 'image_id': 'img-base'}


def _server_reasons(now, keep_flavor=False, kind='image'):
    graph = fakes.graph()
    lookup = fakes.lookup_of({'srv-web': now, 'vol-data': IN_USE})
    plan = plan_mod.build(graph, selection.select(graph, ['srv-web']),
                          lookup)
    manifest = _manifest()
    manifest['data']['server_web'] = {'kind': kind}
    return checks.reasons(graph, manifest, plan, lookup,
                          keep_current_flavor=keep_flavor)


def test_a_server_as_it_was_may_be_rebuilt():
    assert _server_reasons(WEB) == []
    assert _server_reasons({**WEB, 'status': 'SHUTOFF'}) == []


def test_a_resized_server_needs_the_flag_that_names_the_consequence():
    resized = {**WEB, 'flavor': 'm1.large'}
    [reason] = _server_reasons(resized)
    assert 'flavor m1.small at the checkpoint, m1.large now' in reason
    assert 'keeps the flavor it has now' in reason
    assert 'keep_current_flavor (--keep-current-flavor)' in reason
    assert _server_reasons(resized, keep_flavor=True) == []


@pytest.mark.parametrize('now,kind,words', [
    ({**WEB, 'status': 'PAUSED'}, 'image',
     'is PAUSED: an in-place rebuild needs it ACTIVE or SHUTOFF'),
    ({**WEB, 'image_id': None}, 'image', 'boots from a volume now'),
    (WEB, 'none', 'holds no image of it to rebuild it from (none)'),
])
def test_servers_that_cannot_be_rebuilt(now, kind, words):
    [reason] = _server_reasons(now, kind=kind)
    assert words in reason


# -- servers gone from the region, recreated
def _gone_graph():
    graph = fakes.graph()
    db = graph.get('server_db')
    graph._nodes[db.key] = graph_mod.Node(
        db.key, db.resource, member=True, action=db.action,
        properties={**db.properties, 'image': {'id': 'img-base'}},
        depends_on=db.depends_on)
    return graph


def _gone_reasons(missing=None, kind='image'):
    graph = _gone_graph()
    lookup = fakes.lookup_of({})
    plan = plan_mod.build(graph, selection.select(graph, ['srv-db']), lookup)
    manifest = _manifest()
    manifest['data']['server_db'] = {'kind': kind}
    return checks.reasons(graph, manifest, plan, lookup, missing=missing)


def test_a_gone_server_with_its_image_and_networks_may_be_recreated():
    asked = []
    assert _gone_reasons(lambda node, label: asked.append(
        (node.key, label)) or []) == []
    assert asked == [('server_db', 'server db (srv-db)')]


def test_what_a_gone_server_needs_and_is_gone_too_is_said():
    [reason] = _gone_reasons(lambda node, label: [
        '%s is gone from the region and its network net-1 is too' % label])
    assert reason == 'server db (srv-db) is gone from the region and its ' \
        'network net-1 is too'


def test_a_gone_server_without_an_image_of_its_disk_is_refused():
    [reason] = _gone_reasons(kind='volume')
    assert 'holds no image of its disk to recreate it from (volume)' in reason


# -- a server booted from a volume, gone from the region
def _boot_gone_reasons(now, resources=('srv-web',), kind='volume'):
    asked = []

    def missing(node, label):
        asked.append(node.key)
        return []
    graph = fakes.boot_graph()
    lookup = fakes.lookup_of(now)
    plan = plan_mod.build(graph, selection.select(graph, list(resources)),
                          lookup)
    return checks.reasons(graph, _manifest(kind), plan, lookup,
                          missing=missing), asked


@pytest.mark.parametrize('now', [{}, {'vol-data': {**ROOT,
                                                   'status': 'available',
                                                   'attachments': []}}])
def test_a_gone_server_booted_from_a_volume_may_be_recreated(now):
    # Its boot volume gone too, or left (delete_on_termination false):
    # the checkpoint's bytes of it, or a backup, make the new one.
    for kind in ('volume', 'cinder_backup'):
        found, asked = _boot_gone_reasons(now, kind=kind)
        assert found == [] and asked == ['server_web']


def test_a_gone_server_whose_boot_volume_has_no_data_is_refused():
    [reason], _ = _boot_gone_reasons({}, kind='replicated')
    assert reason == ('volume data (vol-data) is gone from the region and '
                      'the checkpoint holds no data to recreate it from '
                      '(replicated)')


@pytest.mark.parametrize('now', [{}, {'vol-data': {**ROOT,
                                                   'status': 'available',
                                                   'attachments': []}}])
def test_a_boot_volume_alone_of_a_gone_server_says_to_select_the_server(now):
    found, _ = _boot_gone_reasons(now, resources=('vol-data',))
    # Still there: re-imaged in place, which needs its server; gone: made
    # again only with its server.
    assert [r for r in found if 'server srv-web' in r and (
        'select the server to recreate it' in r or
        'only with its server, when that is gone too and selected' in r)
    ], found
