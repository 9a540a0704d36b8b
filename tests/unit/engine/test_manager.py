import datetime

from dragon import context
from dragon.engine import manager
from dragon.engine import rpcapi
from dragon import version


def test_ping_says_who_answers():
    result = manager.EngineManager('engine-7').ping(
        context.get_admin_context())
    assert result['host'] == 'engine-7'
    assert result['version'] == version.version_string()
    answered = datetime.datetime.fromisoformat(result['time'])
    assert abs(datetime.datetime.now(datetime.UTC) - answered).total_seconds() < 60


def test_manager_serves_the_client_api_version():
    assert manager.EngineManager.target.version == rpcapi.RPC_API_VERSION
