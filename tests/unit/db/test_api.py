import datetime

from oslo_config import cfg
import pytest

from dragon import conf as dragon_conf
from dragon import context
from dragon.db import api as db_api
from dragon import exception
from tests.unit import utils


@pytest.fixture
def ctx():
    return context.get_admin_context()


def test_first_heartbeat_creates_the_engine_row(db, ctx):
    service = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    assert service.id is not None
    assert (service.host, service.topic, service.version) == (
        'e1', 'dragon-engine', '1.0')
    assert service.updated_at is not None
    assert not service.deleted


def test_later_heartbeats_update_the_same_row(db, ctx):
    first = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    second = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.1')
    assert second.id == first.id
    assert second.version == '1.1'
    assert second.updated_at >= first.updated_at
    assert second.created_at == first.created_at
    assert len(db_api.engine_service_get_all(ctx)) == 1


def test_engines_on_other_hosts_get_their_own_rows(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    db_api.engine_service_heartbeat(ctx, 'e2', 'dragon-engine', '1.0')
    hosts = sorted(s.host for s in db_api.engine_service_get_all(ctx))
    assert hosts == ['e1', 'e2']


def test_get_all_lists_most_recent_heartbeat_first(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'old', 'dragon-engine', '1.0')
    db_api.engine_service_heartbeat(ctx, 'new', 'dragon-engine', '1.0')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .where(db_api.models.EngineService.host == 'old')
                        .values(updated_at=datetime.datetime(2020, 1, 1)))
    assert [s.host for s in db_api.engine_service_get_all(ctx)] == [
        'new', 'old']


def test_deleted_engines_are_hidden_and_revived_by_a_heartbeat(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .values(deleted=True))
    assert db_api.engine_service_get_all(ctx) == []
    assert len(db_api.engine_service_get_all(ctx, include_deleted=True)) == 1
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    assert [s.host for s in db_api.engine_service_get_all(ctx)] == ['e1']


def _conf_with(url):
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('connection', url, group='database')
    return conf


def test_check_connection_accepts_a_reachable_database(tmp_path):
    db_api.check_connection(_conf_with('sqlite:///%s/ok.sqlite' % tmp_path))


def test_check_connection_reports_unreachable_database(tmp_path):
    url = 'sqlite:///%s/missing-dir/x.sqlite' % tmp_path
    with pytest.raises(exception.DatabaseUnavailable,
                       match='unable to open database file'):
        db_api.check_connection(_conf_with(url))


def test_check_connection_masks_the_password():
    port = utils.closed_port()
    url = 'mysql+pymysql://dragon:hunter2@127.0.0.1:%d/dragon' % port
    with pytest.raises(exception.DatabaseUnavailable) as error:
        db_api.check_connection(_conf_with(url))
    assert 'hunter2' not in error.value.message
    assert 'dragon:***@127.0.0.1' in error.value.message


@pytest.mark.parametrize('url', ['not a url', 'nosuchdialect://h/db'])
def test_check_connection_rejects_unusable_urls(url):
    with pytest.raises(exception.ConfigInvalid, match=r'\[database\] connection'):
        db_api.check_connection(_conf_with(url))
