"""``openstack dr resource type list``."""


def test_one_row_per_action(api, openstack):
    result = openstack('dr', 'resource', 'type', 'list', '-f', 'json')
    assert result.code == 0, result.err
    rows = result.json()
    assert [(r['Type'], r['Action'], r['Default']) for r in rows] == [
        ('server', 'snapshot', True), ('server', 'backup', False),
        ('volume', 'snapshot', True)]
    assert list(rows[0]) == ['Type', 'Action', 'Default', 'Description']
    assert api.calls[-1].path == '/v1/resource-types'
