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

# Stand-ins for the devstack functions plugin.sh calls, for the unit tests.
#
# Every stub appends one line to $STUB_LOG: its name and arguments, each
# followed by the unit separator (\037), so tests can read back what the
# plugin did (and the ini values it set through iniset).  A few stubs
# return what devstack's would (an id, a URL, whether a service is enabled).
# shellcheck shell=bash

function _stub_record {
    printf '%s\037' "$@" >>"$STUB_LOG"
    printf '\n' >>"$STUB_LOG"
}

# The same matching as devstack's is_service_enabled, without its
# per-service special cases: true if any argument is in ENABLED_SERVICES.
function is_service_enabled {
    local service
    for service in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$service,"* ]] && return 0
    done
    return 1
}

# As devstack's: a service localrc disabled stays disabled.
function enable_service {
    local service
    for service in "$@"; do
        [[ ",$DISABLED_SERVICES," == *",$service,"* ]] && continue
        is_service_enabled "$service" || ENABLED_SERVICES+=",$service"
    done
}

function define_plugin { _stub_record define_plugin "$@"; }
function echo_summary { _stub_record echo_summary "$@"; }
function die { _stub_record die "$@"; exit 1; }
function ipv6_unquote { local address=${1#[}; echo "${address%]}"; }
function get_python_exec_prefix { echo "$STUB_BIN"; }
function setup_develop { _stub_record setup_develop "$@"; }
function iniset { _stub_record iniset "$@"; }
function iniset_rpc_backend {
    _stub_record iniset_rpc_backend "$@"
    iniset "$2" "${3:-DEFAULT}" transport_url "rabbit://stackrabbit:secret@127.0.0.1:5672/"
}
function configure_keystone_authtoken_middleware {
    _stub_record configure_keystone_authtoken_middleware "$@"
}
function setup_logging { _stub_record setup_logging "$@"; }
function write_uwsgi_config { _stub_record write_uwsgi_config "$@"; }
function database_connection_url {
    echo "mysql+pymysql://root:secret@127.0.0.1/$1?charset=utf8"
}
function recreate_database { _stub_record recreate_database "$@"; }
function create_service_user { _stub_record create_service_user "$@"; }
function get_or_create_role { _stub_record get_or_create_role "$@"; echo role-id; }
function get_or_add_user_project_role {
    _stub_record get_or_add_user_project_role "$@"
}
function get_or_create_service {
    _stub_record get_or_create_service "$@"
    echo service-id
}
function get_or_create_endpoint {
    _stub_record get_or_create_endpoint "$@"
    echo endpoint-id
}
function run_process { _stub_record run_process "$@"; }
function stop_process { _stub_record stop_process "$@"; }
function wait_for_service {
    _stub_record wait_for_service "$@"
    return "${STUB_WAIT_FOR_SERVICE_RC:-0}"
}
function which { echo "/usr/bin/$1"; }
function hostname { echo node1; }
# The plugin creates and removes its directories with sudo; the tests run
# them, unprivileged, on temporary paths.
function sudo {
    _stub_record sudo "$@"
    if [[ "$1" == install ]]; then
        shift
        local args=()
        while [[ $# -gt 0 ]]; do
            case "$1" in
                -o|-g|-m) shift 2 ;;
                *) args+=("$1"); shift ;;
            esac
        done
        install "${args[@]}"
    else
        "$@"
    fi
}
