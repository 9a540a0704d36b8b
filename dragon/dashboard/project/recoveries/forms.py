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

"""The Recover pages' forms: target and mode, then choices, then confirm.

Recovering is three steps. The target region comes first because the
network chooser lists that region's networks; the choices (resources,
networks, the other mappings, name prefix, timeout) come next; the last
page shows the request as it will be sent and sends it only when
confirmed.
"""

from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _
from horizon import forms

from dragon.dashboard.api import recoveries as api
from dragon.dashboard import exceptions

RECREATE_LABEL = _('Recreate a network like it')
AUTOMATIC_LABEL = _('Automatic: the network of the same name')
# Free-form lines of these mappings when the template cannot be read.
TEXT_MAPPINGS = (
    ('flavors', _('Flavors'), _('Source flavor NAME=target flavor')),
    ('availability_zones', _('Availability zones'),
     _('Source zone=target zone')),
    ('volume_types', _('Volume types'), _('Source type=target type')),
    ('key_pairs', _('Key pairs'), _('Source key pair=target key pair')),
    ('images', _('Images'), _('Source image=target image')),
)
IMAGE_HELP = _('Used only by a server protected without its disk (template '
               'only) or a volume created from an image; restored disks '
               'come from the checkpoint. Empty: the same image name.')
# Source network rows offered when the checkpoint's template is unknown.
FREE_NETWORK_ROWS = 2
MODE_CHOICES = (
    (api.FAILOVER, _('Failover: bring the workload up in the target')),
    (api.DRILL, _('Drill: rehearse on isolated networks, measure the RTO, '
                  'then tear everything down')),
    (api.IN_PLACE, _('In place: roll the workload back in its own region '
                     '(volumes swapped, servers rebuilt, deleted volumes '
                     'recreated), then commit or roll back; the target '
                     'region is ignored')),
)
# The in-place options: each names what the user accepts.
IN_PLACE_OPTIONS = (
    ('dry_run', _('Plan only'),
     _('Show what would be replaced, rebuilt, recreated and left alone, '
       'and change nothing.')),
    ('shrink_volumes', _('Shrink volumes'),
     _('Also restore volumes larger now than in the checkpoint: they '
       'shrink back to their checkpoint size.')),
    ('keep_current_flavor', _('Keep current flavors'),
     _('Also rebuild servers whose flavor changed since the checkpoint: '
       'they keep the flavor they have now, with the checkpoint\'s '
       'disk.')),
)


def field_name(group: str, index: int) -> str:
    return '%s__%d' % (group, index)


class TargetForm(forms.SelfHandlingForm):
    """Step 1: where to recover, and how."""

    target_region = forms.ChoiceField(
        label=_('Target region'),
        help_text=_('The region the workload is recreated in: usually the '
                    'backup site, not the region that was protected.'))
    mode = forms.ChoiceField(label=_('Mode'), choices=MODE_CHOICES,
                             widget=django_forms.RadioSelect)

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields['target_region'].choices = [
            (r, r) for r in api.regions(request)]

    def handle(self, request: Any, data: dict[str, Any]) -> dict[str, Any]:
        return data


def parse_lines(text: str) -> dict[str, str]:
    """``SOURCE=TARGET`` lines as a dict.

    :raises django.forms.ValidationError: a line without both sides, or
        one source given two targets.
    """
    result: dict[str, str] = {}
    for number, line in enumerate((text or '').splitlines(), 1):
        if not line.strip():
            continue
        source, sep, target = line.partition('=')
        source, target = source.strip(), target.strip()
        if not sep or not source or not target:
            raise forms.ValidationError(
                _('Line %(n)d, "%(line)s", is not SOURCE=TARGET.') % {
                    'n': number, 'line': line.strip()})
        if result.get(source, target) != target:
            raise forms.ValidationError(
                _('%(s)s is mapped to both %(a)s and %(b)s.') % {
                    's': source, 'a': result[source], 'b': target})
        result[source] = target
    return result


class ChoicesForm(forms.SelfHandlingForm):
    """Step 2: resources, networks, the other mappings, prefix, timeout.

    Its fields depend on what the checkpoint's template names (``source``
    of ``api.recover_source``) and on the networks of the target region.
    """

    name_prefix = forms.CharField(
        label=_('Name prefix'), required=False, max_length=64,
        help_text=_('Put before the name of every recovered resource.'))
    timeout = forms.IntegerField(
        label=_('Timeout (seconds)'), required=False, min_value=60,
        max_value=86400,
        help_text=_('How long the stack may take; the service default '
                    'otherwise.'))

    def __init__(self, request: Any, *args: Any, source: dict[str, Any],
                 networks: list[dict[str, Any]], mode: str,
                 **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.source = source
        self.mode = mode
        self.networks = networks
        self.known = source.get('sources') is not None
        self._resource_fields()
        if mode == api.IN_PLACE:
            # In place every resource keeps its own networks, flavors and
            # key pairs, and no stack is made: no mappings, no timeout.
            for name in ('name_prefix', 'timeout'):
                del self.fields[name]
            for name, label, help_text in IN_PLACE_OPTIONS:
                self.fields[name] = forms.BooleanField(
                    label=label, required=False, help_text=help_text)
            return
        self._network_fields()
        self._mapping_fields()
        # Prefix and timeout last.
        for name in ('name_prefix', 'timeout'):
            self.fields[name] = self.fields.pop(name)

    # -- fields -------------------------------------------------------------
    def _resource_fields(self) -> None:
        resources = self.source.get('resources') or []
        if resources:
            self.fields['resources'] = forms.MultipleChoiceField(
                label=_('Resources'), required=False,
                widget=django_forms.CheckboxSelectMultiple,
                choices=[(r['id'], '%s (%s)' % (r.get('name') or r['id'],
                                                r.get('type')))
                         for r in resources],
                help_text=_('Recover only these and what they need; none '
                            'ticked recovers everything.'))
        else:
            self.fields['resources'] = forms.CharField(
                label=_('Resource IDs'), required=False,
                widget=django_forms.Textarea(attrs={'rows': 2}),
                help_text=_('Source IDs of the servers, volumes or '
                            'containers to recover, one per line; empty '
                            'recovers everything.'))

    def _target_choices(self, external: bool) -> list[tuple[str, str]]:
        return [(n['id'], '%s (%s)' % (n['name'], n['id']))
                for n in self.networks if n['external'] == external]

    def _network_fields(self) -> None:
        if self.mode == api.DRILL:
            return    # a drill recreates every network, isolated
        internal = ([('', AUTOMATIC_LABEL), (api.RECREATE, RECREATE_LABEL)] +
                    self._target_choices(False))
        sources = (self.source.get('sources') or {}).get('networks', [])
        self.network_sources = list(sources) if self.known else []
        for index, network_id in enumerate(self.network_sources):
            self.fields[field_name('networks', index)] = forms.ChoiceField(
                label=_('Network %s') % network_id, required=False,
                choices=internal,
                help_text=_('A shared network of the source; the '
                            'project\'s own networks are always recreated.'))
        if not self.known:
            for index in range(FREE_NETWORK_ROWS):
                self.fields[field_name('network_source', index)] = \
                    forms.CharField(label=_('Source network ID'),
                                    required=False)
                self.fields[field_name('networks', index)] = \
                    forms.ChoiceField(label=_('Target network'),
                                      required=False, choices=internal)
        external = [('', _('Automatic: the external network of the same '
                           'name'))] + self._target_choices(True)
        self.fields['external_network'] = forms.ChoiceField(
            label=_('External network'), required=False, choices=external,
            help_text=_('Where the recovered routers get their gateway and '
                        'floating IPs.'))

    def _mapping_fields(self) -> None:
        sources = self.source.get('sources') or {}
        for group, label, hint in TEXT_MAPPINGS:
            if self.known:
                for index, value in enumerate(sources.get(group, [])):
                    self.fields[field_name(group, index)] = forms.CharField(
                        label='%s: %s' % (label, value), required=False,
                        max_length=255, help_text=(
                            IMAGE_HELP if group == 'images' else
                            _('Empty: the same name in the target.')))
            else:
                self.fields[group] = forms.CharField(
                    label=label, required=False,
                    widget=django_forms.Textarea(attrs={'rows': 2}),
                    help_text=_('One mapping a line: %s. Anything not '
                                'mapped is looked up by name.') % hint)

    # -- the request --------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.mode == api.IN_PLACE:
            data['request'] = {
                'mappings': {}, 'timeout': None,
                'resources': _resources(data.get('resources')),
                'in_place': {name: bool(data.get(name))
                             for name, _l, _h in IN_PLACE_OPTIONS}}
            return data
        mappings: dict[str, Any] = {}
        networks = self._clean_networks(data)
        if networks:
            mappings['networks'] = networks
        if data.get('external_network'):
            mappings['external_network'] = data['external_network']
        sources = self.source.get('sources') or {}
        for group, _label, _hint in TEXT_MAPPINGS:
            if self.known:
                mapped = {value: data[field_name(group, index)].strip()
                          for index, value in enumerate(sources.get(group, []))
                          if (data.get(field_name(group, index)) or '').strip()}
            else:
                try:
                    mapped = parse_lines(data.get(group) or '')
                except forms.ValidationError as err:
                    self.add_error(group, err)
                    continue
            if mapped:
                mappings[group] = mapped
        if (data.get('name_prefix') or '').strip():
            mappings['name_prefix'] = data['name_prefix'].strip()
        data['request'] = {'mappings': mappings,
                           'resources': _resources(data.get('resources')),
                           'timeout': data.get('timeout')}
        return data

    def _clean_networks(self, data: dict[str, Any]) -> dict[str, str]:
        result: dict[str, str] = {}
        if self.mode == api.DRILL:
            return result
        if self.known:
            pairs = [(s, data.get(field_name('networks', i)))
                     for i, s in enumerate(self.network_sources)]
        else:
            pairs = []
            for index in range(FREE_NETWORK_ROWS):
                source = (data.get(field_name('network_source', index))
                          or '').strip()
                target = data.get(field_name('networks', index))
                if target and not source:
                    self.add_error(field_name('network_source', index),
                                   _('Give the source network ID this '
                                     'target replaces.'))
                pairs.append((source, target))
        for source, target in pairs:
            if source and target:
                if result.get(source, target) != target:
                    self.add_error(None, _('Network %s is mapped twice.')
                                   % source)
                result[source] = target
        return result

    def handle(self, request: Any, data: dict[str, Any]) -> dict[str, Any]:
        return data['request']


def _resources(chosen: Any) -> list[str]:
    """The ticked resources, or the IDs typed one per line."""
    resources = chosen or []
    if isinstance(resources, str):
        resources = [r.strip() for r in resources.split() if r.strip()]
    return list(dict.fromkeys(resources))


class ConfirmForm(forms.SelfHandlingForm):
    """Step 3: nothing to fill in; the request is shown above the button.

    Sends it; a refusal shows the API's message on the form, which stays
    so the user can go back and change what the API refused.
    """

    def __init__(self, request: Any, *args: Any, pending: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.pending = pending

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        pending = self.pending
        if pending['kind'] == 'checkpoint':
            what = {'checkpoint_id': pending['source']}
        else:
            what = {'recovery_point': pending['source']}
        try:
            return api.recovery_create(
                request, region=pending['region'],
                target_region=(None if pending['mode'] == api.IN_PLACE
                               else pending['target_region']),
                mode=pending['mode'], mappings=pending['mappings'],
                resources=pending['resources'], timeout=pending['timeout'],
                **{k: True for k, v in (pending.get('in_place') or
                                        {}).items() if v},
                **what)
        except exceptions.DragonError as err:
            self.api_error(err.message)
            return False
