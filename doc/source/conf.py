# Sphinx configuration of Dragon's documentation.

project = 'Dragon'
copyright = '2026, Dragon developers'
author = 'Dragon developers'

extensions = [
    'sphinx.ext.autodoc',
]

templates_path = []
# Included by user/schedules.rst, not a page of its own.
exclude_patterns = ['user/retention.rst']
source_suffix = {'.rst': 'restructuredtext'}
root_doc = 'index'

html_theme = 'alabaster'
