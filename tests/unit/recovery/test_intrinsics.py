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

"""HOT intrinsic functions found and replaced in a template tree."""

from dragon.recovery import intrinsics

TREE = {'a': {'get_resource': 'x'},
        'b': [{'get_attr': ['y', 'first_address']}, {'get_param': 'p'}],
        'c': {'if': ['has_p', {'get_param': 'q'}]},
        'd': {'condition': 'other', 'get_resource': 'not-alone'}}


def test_refs_finds_every_argument_of_one_function():
    assert intrinsics.refs(TREE, 'get_resource') == {'x'}
    assert intrinsics.refs(TREE, 'get_attr') == {'y'}
    assert intrinsics.refs(TREE, 'get_param') == {'p', 'q'}


def test_substitute_replaces_only_what_the_table_has():
    out = intrinsics.substitute(TREE, 'get_param', {'p': 'P'})
    assert out['b'][1] == 'P'
    assert out['c'] == {'if': ['has_p', {'get_param': 'q'}]}
    assert TREE['b'][1] == {'get_param': 'p'}  # the input is left alone


def test_conditions_used():
    assert intrinsics.conditions_used(TREE) == {'has_p', 'other'}
