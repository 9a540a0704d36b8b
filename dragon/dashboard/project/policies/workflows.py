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

"""Create and edit a workload policy: details, members, protection, schedule.

The members step lists the project's servers and volumes as the API's
``protectables`` show them, each with the actions its resource type
offers (``resource-types``) and the action's options as ``key=value``
text typed by the action's schema. A create is one API call; an edit
patches the policy and then adds, changes and removes members one by one,
each failure shown with the API's message.
"""

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import workflows

from dragon.dashboard.api import policies as api
from dragon.dashboard.common import errors

INDEX_URL = 'horizon:project:dr_policies:index'
# What the members step offers; the API knows more (swift_container).
MEMBER_TYPES = ('server', 'volume')
SCHEDULE_KEYS = ('cron', 'timezone', 'enabled', 'start_at', 'end_at',
                 'jitter', 'misfire_grace')
RETENTION_TIERS = ('hourly', 'daily', 'weekly', 'monthly', 'yearly')
_UNITS = (('w', 604800), ('d', 86400), ('h', 3600), ('m', 60))
_FIELD = re.compile(r'^m__(on|action|options)__([a-z_]+)__(.+)$')


def duration_text(seconds: Any) -> str:
    """``3600`` as ``1h``: how a user types a duration back."""
    if seconds in (None, ''):
        return ''
    if isinstance(seconds, str):
        return seconds
    for unit, size in _UNITS:
        if seconds % size == 0:
            return '%d%s' % (seconds // size, unit)
    return str(seconds)


def duration_value(text: str) -> int | str | None:
    """Seconds as a number, ``15m`` as typed (the API checks both)."""
    text = (text or '').strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _coerce(value: str, schema: dict) -> Any:
    kinds = schema.get('type')
    kinds = kinds if isinstance(kinds, list) else [kinds]
    lowered = value.lower()
    if 'boolean' in kinds and lowered in ('true', 'false', 'yes', 'no'):
        return lowered in ('true', 'yes')
    if 'integer' in kinds and re.fullmatch(r'-?\d+', value):
        return int(value)
    if 'number' in kinds:
        try:
            return float(value)
        except ValueError:
            pass
    return value


def parse_options(text: str, schema: dict | None) -> dict:
    """``key=value, key=value`` typed by the action's options schema.

    :raises ValueError: a part without ``=``.
    """
    props = (schema or {}).get('properties') or {}
    options = {}
    for part in (text or '').replace('\n', ',').split(','):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition('=')
        if not sep or not key.strip():
            raise ValueError(part)
        key = key.strip()
        options[key] = _coerce(value.strip(), props.get(key) or {})
    return options


def options_text(options: dict | None) -> str:
    def text(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)
    return ', '.join('%s=%s' % (k, text(v))
                     for k, v in sorted((options or {}).items()))


class DetailsAction(workflows.Action):
    name = forms.CharField(label=_('Name'), max_length=255)
    description = forms.CharField(label=_('Description'), max_length=1024,
                                  required=False,
                                  widget=forms.Textarea(attrs={'rows': 3}))

    class Meta:
        name = _('Details')
        help_text = _('A workload policy names the servers and volumes '
                      'that are protected together, how often and for how '
                      'long their checkpoints are kept.')


class DetailsStep(workflows.Step):
    action_class = DetailsAction
    contributes = ('name', 'description')


class UpdateDetailsStep(DetailsStep):
    # What the edit compares against: the policy as it was shown.
    depends_on = ('policy_id', 'old_members', 'old_schedules')


class MembersAction(workflows.Action):
    """One row per server and volume: included?, action, options."""

    class Meta:
        name = _('Members')
        slug = 'members'
        help_text_template = 'dragon/policies/_members_help.html'

    def __init__(self, request: Any, context: dict, *args: Any,
                 **kwargs: Any) -> None:
        super().__init__(request, context, *args, **kwargs)
        self.types = {}
        self.resources = []
        try:
            self.types = {t['name']: t.to_dict()
                          for t in api.resource_type_list(request)}
            self.resources = [p.to_dict() for p in api.protectable_list(
                request) if p.get('type') in MEMBER_TYPES]
        except Exception:
            errors.handle(request, _('Unable to list the resources a '
                                         'policy can protect.'))
        current = {m['resource_id']: m for m in context.get('members') or ()}
        listed = {r['id'] for r in self.resources}
        # Members whose resource is gone stay listed, to keep or remove.
        for member in current.values():
            if member['resource_id'] not in listed:
                self.resources.append({
                    'type': member['resource_type'],
                    'id': member['resource_id'],
                    'name': member.get('resource_name') or '',
                    'status': _('not found'), 'policy_id': None,
                    'policy_name': None})
        policy_id = context.get('policy_id')
        for resource in self.resources:
            key = '%s__%s' % (resource['type'], resource['id'])
            member = current.get(resource['id'])
            actions = (self.types.get(resource['type']) or {}).get(
                'actions') or []
            default = next((a['name'] for a in actions if a.get('default')),
                           '')
            self.fields['m__on__' + key] = forms.BooleanField(
                required=False, initial=member is not None,
                label=resource['name'] or resource['id'])
            self.fields['m__action__' + key] = forms.ChoiceField(
                required=False, label=_('Action'),
                choices=[(a['name'], a['name']) for a in actions],
                initial=(member or {}).get('action') or default)
            self.fields['m__options__' + key] = forms.CharField(
                required=False, label=_('Options'),
                initial=options_text((member or {}).get('options')),
                widget=forms.TextInput(attrs={
                    'placeholder': _('key=value, key=value')}))
            held = resource.get('policy_id')
            resource['note'] = (
                _('in policy %s') % (resource.get('policy_name') or held)
                if held and held != policy_id else '')

    def get_help_text(self, extra_context: dict | None = None) -> str:
        return super().get_help_text({**(extra_context or {}),
                                      'form': self})

    def rows(self) -> list[dict]:
        """What the step's template draws, one row per resource."""
        rows = []
        for resource in self.resources:
            key = '%s__%s' % (resource['type'], resource['id'])
            rows.append({'resource': resource,
                         'on': self['m__on__' + key],
                         'action': self['m__action__' + key],
                         'options': self['m__options__' + key]})
        return rows

    def action_schemas(self) -> list[dict]:
        """Each member type's actions and their options, for the help."""
        return [self.types[name] for name in MEMBER_TYPES
                if name in self.types]

    def clean(self) -> dict:
        data = super().clean()
        members = []
        for name, value in list(data.items()):
            match = _FIELD.match(name)
            if not match or match.group(1) != 'on' or not value:
                continue
            resource_type, resource_id = match.group(2), match.group(3)
            key = '%s__%s' % (resource_type, resource_id)
            action = data.get('m__action__' + key) or None
            actions = (self.types.get(resource_type) or {}).get(
                'actions') or []
            schema = next((a.get('options_schema') for a in actions
                           if a['name'] == action), None)
            try:
                options = parse_options(data.get('m__options__' + key, ''),
                                        schema)
            except ValueError as err:
                self.add_error('m__options__' + key, _(
                    '"%s" is not key=value.') % err)
                continue
            members.append({'resource_type': resource_type,
                            'resource_id': resource_id,
                            'action': action, 'options': options})
        data['members'] = members
        return data


class MembersStep(workflows.Step):
    action_class = MembersAction
    contributes = ('members',)
    depends_on = ()
    template_name = 'dragon/policies/_members_step.html'

    def contribute(self, data: dict, context: dict) -> dict:
        context['members'] = (data or {}).get('members', [])
        return context


class ProtectionAction(workflows.Action):
    consistent = forms.BooleanField(
        label=_('Consistent'), required=False,
        help_text=_('Pause the running servers while their disks and '
                    'volumes are captured, for one crash-consistent point '
                    'in time.'))
    strict = forms.BooleanField(
        label=_('Strict'), required=False,
        help_text=_('Fail a checkpoint that would not carry everything '
                    '(any warning) instead of completing it with warnings.'))
    rpo = forms.CharField(
        label=_('RPO target'), required=False, max_length=16,
        help_text=_('The oldest the newest checkpoint may be: seconds or '
                    'a count with a unit (15m, 1h, 1d). Empty: none.'))
    keep_last = forms.IntegerField(
        label=_('Keep last'), required=False, min_value=1, max_value=100000,
        help_text=_('Keep the newest N available checkpoints.'))
    max_age = forms.CharField(
        label=_('Keep for'), required=False, max_length=16,
        help_text=_('Keep checkpoints younger than this (30d, 2w).'))
    hourly = forms.IntegerField(label=_('Hourly'), required=False,
                                min_value=0, max_value=100000)
    daily = forms.IntegerField(label=_('Daily'), required=False,
                               min_value=0, max_value=100000)
    weekly = forms.IntegerField(label=_('Weekly'), required=False,
                                min_value=0, max_value=100000)
    monthly = forms.IntegerField(label=_('Monthly'), required=False,
                                 min_value=0, max_value=100000)
    yearly = forms.IntegerField(label=_('Yearly'), required=False,
                                min_value=0, max_value=100000)
    retention_timezone = forms.CharField(
        label=_('Retention time zone'), required=False, max_length=64,
        help_text=_('IANA name (Europe/Berlin) the hourly ... yearly '
                    'periods are counted in; UTC when empty.'))
    verify_every_days = forms.IntegerField(
        label=_('Verify every (days)'), required=False, min_value=1,
        max_value=365,
        help_text=_('Read back every byte of the newest checkpoint this '
                    'often; needs an enabled schedule.'))

    class Meta:
        name = _('Protection')
        slug = 'protection'
        help_text = _('Retention deletes the checkpoints no rule keeps '
                      '(the newest available one and held ones are always '
                      'kept). With no rule every checkpoint is kept. '
                      'Hourly ... yearly keep the newest checkpoint of '
                      'that many periods.')

    def clean(self) -> dict:
        data = super().clean()
        retention = {key: data[key] for key in ('keep_last', *RETENTION_TIERS)
                     if data.get(key) not in (None, '')}
        if duration_value(data.get('max_age')) is not None:
            retention['max_age'] = duration_value(data['max_age'])
        if retention and data.get('retention_timezone'):
            retention['timezone'] = data['retention_timezone'].strip()
        data['options'] = {
            'consistent': bool(data.get('consistent')),
            'strict': bool(data.get('strict')),
            'rpo': duration_value(data.get('rpo')),
            'retention': retention or None,
            'verify_every_days': data.get('verify_every_days') or None,
        }
        return data


class ProtectionStep(workflows.Step):
    action_class = ProtectionAction
    # The fields too: the edit's initial values reach the form only so.
    contributes = ('options', 'consistent', 'strict', 'rpo', 'keep_last',
                   'max_age', *RETENTION_TIERS, 'retention_timezone',
                   'verify_every_days')


class ScheduleAction(workflows.Action):
    cron = forms.CharField(
        label=_('Cron'), required=False, max_length=255,
        help_text=_('When to protect, as five cron fields: minute hour '
                    'day-of-month month day-of-week. "0 2 * * *": daily at '
                    '02:00; "0 */4 * * *": every 4 hours. Empty: only '
                    'when asked (Protect Now).'))
    timezone = forms.CharField(
        label=_('Time zone'), required=False, max_length=64, initial='UTC',
        help_text=_('IANA name the cron times are read in.'))
    enabled = forms.BooleanField(label=_('Enabled'), required=False,
                                 initial=True)

    class Meta:
        name = _('Schedule')
        slug = 'schedule'
        help_text = _('Dragon protects the policy at these times without '
                      'anyone asking. Further schedules of the policy '
                      '(made with the API or CLI) are kept as they are.')

    def clean(self) -> dict:
        data = super().clean()
        cron = (data.get('cron') or '').strip()
        if cron:
            data['schedule'] = {'cron': cron,
                                'timezone': (data.get('timezone') or
                                             'UTC').strip(),
                                'enabled': bool(data.get('enabled'))}
        else:
            data['schedule'] = None
        return data


class ScheduleStep(workflows.Step):
    action_class = ScheduleAction
    contributes = ('schedule', 'cron', 'timezone', 'enabled')


def _schedule_body(schedule: dict) -> dict:
    return {k: schedule[k] for k in SCHEDULE_KEYS
            if schedule.get(k) is not None}


class CreatePolicy(workflows.Workflow):
    slug = 'create_dr_policy'
    name = _('Create Policy')
    finalize_button_name = _('Create Policy')
    success_message = _('Created policy "%s".')
    failure_message = _('Unable to create policy "%s".')
    success_url = INDEX_URL
    default_steps = (DetailsStep, MembersStep, ProtectionStep, ScheduleStep)

    def format_status_message(self, message: str) -> str:
        return message % self.context.get('name', '')

    def handle(self, request: Any, context: dict) -> bool:
        schedule = context.get('schedule')
        try:
            api.policy_create(
                request, context['name'],
                description=context.get('description') or None,
                options=context.get('options'),
                members=context.get('members') or [],
                schedules=[schedule] if schedule else [])
        except Exception:
            errors.handle(request, _('The policy was not created.'))
            return False
        return True


class UpdatePolicy(workflows.Workflow):
    slug = 'update_dr_policy'
    name = _('Edit Policy')
    finalize_button_name = _('Save')
    success_message = _('Saved policy "%s".')
    failure_message = _('Unable to save every change of policy "%s".')
    success_url = INDEX_URL
    default_steps = (UpdateDetailsStep, MembersStep, ProtectionStep,
                     ScheduleStep)

    def format_status_message(self, message: str) -> str:
        return message % self.context.get('name', '')

    def handle(self, request: Any, context: dict) -> bool:
        policy_id = context['policy_id']
        changes: dict[str, Any] = {
            'name': context['name'],
            'description': context.get('description') or '',
            'options': context.get('options')}
        schedules = self._schedules(context)
        if schedules is not None:
            changes['schedules'] = schedules
        try:
            api.policy_update(request, policy_id, **changes)
        except Exception:
            errors.handle(request, _('The policy was not changed.'))
            return False
        return self._update_members(request, policy_id, context)

    @staticmethod
    def _schedules(context: dict) -> list[dict] | None:
        """The schedules to send; None leaves them as they are.

        The step edits the first schedule; the others are sent back as
        they were. An unchanged first schedule sends nothing, so its run
        counts and trust stay.
        """
        old = list(context.get('old_schedules') or ())
        rest = [_schedule_body(s) for s in old[1:]]
        new = context.get('schedule')
        if new is None:
            return rest if old else None
        if old and all(old[0].get(k) == v for k, v in new.items()):
            return None
        return [new] + rest

    @staticmethod
    def _update_members(request: Any, policy_id: str,
                        context: dict) -> bool:
        old = {m['resource_id']: m for m in context.get('old_members') or ()}
        new = {m['resource_id']: m for m in context.get('members') or ()}
        ok = True
        for resource_id, member in new.items():
            before = old.get(resource_id)
            try:
                if before is None:
                    api.member_add(request, policy_id,
                                   member['resource_type'], resource_id,
                                   action=member['action'],
                                   options=member['options'])
                elif (before.get('action') != member['action'] or
                      (before.get('options') or {}) != member['options']):
                    api.member_update(request, policy_id, resource_id,
                                      action=member['action'],
                                      options=member['options'])
            except Exception:
                ok = False
                errors.handle(request, _('Member %s was not saved.') %
                                  resource_id)
        for resource_id in old.keys() - new.keys():
            try:
                api.member_remove(request, policy_id, resource_id)
            except Exception:
                ok = False
                errors.handle(request, _('Member %s was not removed.') %
                                  resource_id)
        return ok


def initial_of(policy: api.Policy) -> dict:
    """The edit workflow's initial values of ``policy``."""
    options = policy.get('options') or {}
    retention = options.get('retention') or {}
    schedules = policy.get('schedules') or []
    first = schedules[0] if schedules else {}
    initial = {
        'policy_id': policy.id, 'name': policy.name,
        'description': policy.get('description') or '',
        'members': list(policy.get('members') or ()),
        'old_members': list(policy.get('members') or ()),
        'old_schedules': list(schedules),
        'consistent': bool(options.get('consistent')),
        'strict': bool(options.get('strict')),
        'rpo': duration_text(options.get('rpo')),
        'keep_last': retention.get('keep_last'),
        'max_age': duration_text(retention.get('max_age')),
        'retention_timezone': retention.get('timezone') or '',
        'verify_every_days': options.get('verify_every_days'),
        'cron': first.get('cron') or '',
        'timezone': first.get('timezone') or 'UTC',
        'enabled': first.get('enabled', True),
    }
    initial.update({tier: retention.get(tier) for tier in RETENTION_TIERS})
    return initial
