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
