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

# Sphinx configuration of Dragon's documentation.

import os
import sys

# Local extensions (doc/source/_ext): the release notes and the API
# reference, rendered at build time without extra packages.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_ext'))

project = 'Dragon'
copyright = '2026, Dragon developers'
author = 'Dragon developers'

extensions = [
    'sphinx.ext.autodoc',
    'dragon_releasenotes',
    'dragon_openapi',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]

templates_path = []
# Included by user/schedules.rst, not a page of its own.
exclude_patterns = ['user/retention.rst']
source_suffix = {'.rst': 'restructuredtext'}
root_doc = 'index'

html_theme = 'alabaster'
