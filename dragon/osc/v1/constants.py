"""Every column the ``openstack dr`` commands print, in one place.

Each tuple pairs the heading users see with the key of the API object.
"""

POLICY_COLUMNS = (
    ('id', 'id'),
    ('name', 'name'),
    ('description', 'description'),
    ('project_id', 'project_id'),
    ('status', 'status'),
    ('consistent', 'consistent'),
    ('schedule', 'schedule'),
    ('retention', 'retention'),
    ('members', 'members'),
    ('last_drill', 'last_drill'),
    ('created_at', 'created_at'),
    ('updated_at', 'updated_at'),
)

POLICY_LIST_COLUMNS = (
    ('ID', 'id'),
    ('Name', 'name'),
    ('Status', 'status'),
    ('Members', 'member_count'),
)

POLICY_LIST_PROJECT_COLUMNS = (
    ('Project', 'project_id'),
)

POLICY_LIST_LONG_COLUMNS = (
    ('Description', 'description'),
    ('Consistent', 'consistent'),
    ('Schedule', 'schedule'),
    ('Retention', 'retention'),
    ('Last Drill', 'last_drill'),
    ('Created At', 'created_at'),
    ('Updated At', 'updated_at'),
)

MEMBER_COLUMNS = (
    ('resource_type', 'resource_type'),
    ('resource_id', 'resource_id'),
    ('resource_name', 'resource_name'),
    ('action', 'action'),
    ('options', 'options'),
    ('created_at', 'created_at'),
)

MEMBER_LIST_COLUMNS = (
    ('Resource Type', 'resource_type'),
    ('Resource ID', 'resource_id'),
    ('Resource Name', 'resource_name'),
    ('Action', 'action'),
    ('Options', 'options'),
)

RESOURCE_TYPE_LIST_COLUMNS = (
    ('Type', 'type'),
    ('Action', 'action'),
    ('Default', 'default'),
    ('Description', 'description'),
)

PROTECTABLE_LIST_COLUMNS = (
    ('Type', 'type'),
    ('ID', 'id'),
    ('Name', 'name'),
    ('Status', 'status'),
    ('Policy', 'policy'),
)
