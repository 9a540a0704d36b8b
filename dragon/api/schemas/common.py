"""JSON schema pieces shared by the request bodies (draft 7, no extra fields)."""

# No C0/C1 control characters; a name must show something.
NAME = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'allOf': [{'pattern': '^[^\\x00-\\x1f\\x7f-\\x9f]*$'},
              {'pattern': '\\S'}],
}
# Descriptions may have line breaks and tabs, no other control characters.
DESCRIPTION = {
    'type': 'string', 'maxLength': 1024,
    'pattern': '^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$',
}
# Nova and Cinder ids: UUIDs, kept loose but never a path.
RESOURCE_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255,
               'pattern': '^[A-Za-z0-9_.-]+$'}
UUID = {'type': 'string', 'format': 'uuid'}
