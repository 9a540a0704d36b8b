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

"""The Recoveries pages, and the three Recover pages."""

from typing import Any
from urllib import parse
import uuid

from django.contrib import messages
from django import http
from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import exceptions
from horizon import forms
from horizon import tables
from horizon import tabs

from dragon.dashboard.api import recoveries as api
from dragon.dashboard.common import errors
from dragon.dashboard.common import regions
from dragon.dashboard.project.recoveries import forms as recover_forms
from dragon.dashboard.project.recoveries import tables as recovery_tables
from dragon.dashboard.project.recoveries import tabs as recovery_tabs

INDEX_URL = 'horizon:project:dr_recoveries:index'
# The request a user is about to confirm, by token, in the session.
SESSION_KEY = 'dragon_dashboard_recover'
SOURCE_PARAMS = ('kind', 'source', 'region')


class IndexView(tables.DataTableView):
    table_class = recovery_tables.RecoveriesTable
    template_name = 'dragon/recoveries/index.html'
    page_title = _('Recoveries')

    def get_data(self) -> list[Any]:
        try:
            return api.recovery_list(self.request,
                                     region=regions.selected(self.request))
        except Exception:
            errors.handle(self.request)
            return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions.context(self.request))
        return context


class DetailView(tabs.TabView):
    tab_group_class = recovery_tabs.RecoveryTabs
    template_name = 'horizon/common/_detail.html'
    page_title = _('Recovery {{ recovery.id }}')

    def get_data(self) -> Any:
        if not hasattr(self, '_recovery'):
            try:
                self._recovery = api.recovery_get(
                    self.request, self.kwargs['recovery_id'],
                    region=regions.selected(self.request))
            except Exception:
                errors.handle(self.request, redirect=reverse(INDEX_URL))
        return self._recovery

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        recovery = self.get_data()
        context['recovery'] = recovery
        context['url'] = reverse(INDEX_URL)
        table = recovery_tables.RecoveriesTable(self.request)
        context['actions'] = table.render_row_actions(recovery)
        return context

    def get_tabs(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return self.tab_group_class(request, recovery=self.get_data(),
                                    **kwargs)


def _params(request: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.GET.get(name) or '' for name in names}


class _SourceMixin:
    """Loads what to recover from the query string, once per request."""

    def source(self) -> dict[str, Any]:
        if not hasattr(self, '_source'):
            params = _params(self.request, SOURCE_PARAMS)
            try:
                self._source = api.recover_source(
                    self.request, params['kind'], params['source'],
                    params['region'] or regions.selected(self.request))
            except Exception:
                errors.handle(self.request,
                                  redirect=reverse(INDEX_URL))
        return self._source


class RecoverTargetView(_SourceMixin, forms.ModalFormView):
    """Step 1 of 3: target region and mode."""

    form_class = recover_forms.TargetForm
    template_name = 'dragon/recoveries/recover_target.html'
    modal_header = _('Recover: target and mode')
    page_title = _('Recover')
    submit_label = _('Next')
    cancel_url = reverse_lazy(INDEX_URL)

    def get_initial(self) -> dict[str, Any]:
        source = self.source()
        others = [r for r in api.regions(self.request)
                  if r != source['source_region']]
        return {'target_region': others[0] if others else
                source['source_region'], 'mode': api.FAILOVER}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context['source'] = self.source()
        context['submit_url'] = self.request.get_full_path()
        return context

    def form_valid(self, form: Any) -> http.HttpResponse:
        mode = form.cleaned_data['mode']
        # In place goes into the checkpoint's own region, whatever was
        # picked.
        params = {**_params(self.request, SOURCE_PARAMS),
                  'target_region': (self.source()['source_region']
                                    if mode == api.IN_PLACE else
                                    form.cleaned_data['target_region']),
                  'mode': mode}
        return http.HttpResponseRedirect('%s?%s' % (
            reverse('horizon:project:dr_recoveries:recover_choices'),
            parse.urlencode(params)))


class RecoverChoicesView(_SourceMixin, forms.ModalFormView):
    """Step 2 of 3: resources, networks, mappings, prefix, timeout."""

    form_class = recover_forms.ChoicesForm
    template_name = 'dragon/recoveries/recover_choices.html'
    modal_header = _('Recover: resources and mappings')
    page_title = _('Recover')
    submit_label = _('Next')
    cancel_url = reverse_lazy(INDEX_URL)

    def target(self) -> tuple[str, str]:
        target_region = self.request.GET.get('target_region') or ''
        mode = self.request.GET.get('mode') or api.FAILOVER
        if mode not in (api.FAILOVER, api.DRILL, api.IN_PLACE) or \
                target_region not in api.regions(self.request):
            messages.error(self.request, _('Choose a target region of '
                                           'your catalog and a mode.'))
            raise exceptions.Http302('%s?%s' % (
                reverse('horizon:project:dr_recoveries:recover'),
                parse.urlencode(_params(self.request, SOURCE_PARAMS))))
        return target_region, mode

    def networks(self, target_region: str) -> list[dict[str, Any]]:
        try:
            return api.target_networks(self.request, target_region)
        except Exception:
            # The chooser then offers "automatic" and "recreate" only.
            errors.handle(self.request)
            return []

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        target_region, mode = self.target()
        kwargs.update(source=self.source(), mode=mode,
                      networks=self.networks(target_region)
                      if mode == api.FAILOVER else [])
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context['source'] = self.source()
        context['target_region'], context['mode'] = self.target()
        context['submit_url'] = self.request.get_full_path()
        return context

    def form_valid(self, form: Any) -> http.HttpResponse:
        source = self.source()
        target_region, mode = self.target()
        token = uuid.uuid4().hex
        pending = {'kind': source['kind'], 'source': source['source'],
                   'region': source['region'], 'label': source['label'],
                   'target_region': target_region, 'mode': mode,
                   'known': [_resource_label(r)
                             for r in source.get('resources') or ()],
                   **form.cleaned_data['request']}
        # One pending request at a time: the newest replaces the others.
        self.request.session[SESSION_KEY] = {token: pending}
        return http.HttpResponseRedirect('%s?%s' % (
            reverse('horizon:project:dr_recoveries:recover_confirm'),
            parse.urlencode({'token': token})))


class RecoverConfirmView(forms.ModalFormView):
    """Step 3 of 3: what will be sent, and the button that sends it."""

    form_class = recover_forms.ConfirmForm
    template_name = 'dragon/recoveries/recover_confirm.html'
    modal_header = _('Recover: confirm')
    page_title = _('Recover')
    submit_label = _('Recover')
    cancel_url = reverse_lazy(INDEX_URL)

    def pending(self) -> dict[str, Any]:
        token = self.request.GET.get('token') or ''
        pending = (self.request.session.get(SESSION_KEY) or {}).get(token)
        if pending is None:
            messages.error(self.request, _('Nothing to confirm: start the '
                                           'recovery again.'))
            raise exceptions.Http302(reverse(INDEX_URL))
        return pending

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs['pending'] = self.pending()
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        pending = self.pending()
        context['pending'] = pending
        context['summary'] = summary(pending)
        context['submit_url'] = self.request.get_full_path()
        return context

    def get_success_url_from_handled(self, handled: Any) -> str:
        region = self.pending()['region']
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, _(
            'Recovery %(id)s started: %(mode)s into %(region)s.') % {
                'id': handled.id, 'mode': handled.mode,
                'region': handled.target_region})
        return '%s?%s' % (reverse(INDEX_URL),
                          parse.urlencode({regions.PARAM: region}))


def _resource_label(resource: dict[str, Any]) -> list[str]:
    return [resource['id'], '%s (%s, %s)' % (
        resource.get('name') or resource['id'], resource.get('type'),
        resource['id'])]


def _chosen(pending: dict[str, Any]) -> str:
    """The resources asked for, by name where the checkpoint names them."""
    if not pending['resources']:
        return _('everything in the checkpoint: %s') % (
            ', '.join(label for _id, label in pending.get('known') or ())
            or _('as it was protected'))
    labels = dict(pending.get('known') or ())
    return ', '.join(labels.get(i, i) for i in pending['resources'])


def summary(pending: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, value) lines of the request, in the user's words."""
    lines = [(_('Recover'), pending['label']),
             (_('Asked of the service in'), pending['region']),
             (_('Target region'), pending['target_region']),
             (_('Mode'), dict(recover_forms.MODE_CHOICES)[pending['mode']]),
             (_('Resources'), _chosen(pending))]
    if pending['mode'] == api.IN_PLACE:
        chosen = {name: label for name, label, _h in
                  recover_forms.IN_PLACE_OPTIONS}
        said = [str(chosen[k]) for k, v in
                (pending.get('in_place') or {}).items() if v]
        lines.append((_('In-place options'), ', '.join(said) or _('none')))
        return lines
    mappings = pending.get('mappings') or {}
    for group, value in sorted(mappings.items()):
        if isinstance(value, dict):
            for source, target in sorted(value.items()):
                lines.append((group, '%s → %s' % (source, target)))
        else:
            lines.append((group, value))
    if not any(isinstance(v, dict) for v in mappings.values()):
        lines.append((_('Mappings'), _('none: every source value is '
                                       'looked up by name in the target')))
    lines.append((_('Timeout'), '%s s' % pending['timeout']
                  if pending.get('timeout') else _('service default')))
    return lines
