#!/bin/bash
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
#
# plugin.sh - devstack plugin of Dragon, the workload-protection and
# disaster-recovery service.
#
# Sourced by stack.sh, unstack.sh and clean.sh as
#   source plugin.sh <mode> [phase]
# after devstack/settings; uses devstack's functions and globals (DEST,
# DATA_DIR, STACK_USER, REGION_NAME, SERVICE_TIMEOUT, ...).

# Save trace setting
_XTRACE_DRAGON=$(set +o | grep xtrace)
set -o xtrace

DRAGON_BIN_DIR=$(get_python_exec_prefix)


# Functions
# ---------

# install_dragon() - Install Dragon and its dependencies.  setup_develop
# applies devstack's upper-constraints (the pins of every other project in
# this devstack), so Dragon shares one consistent set of libraries with them.
# With Horizon, the "dashboard" extra brings what the panel needs.
function install_dragon {
    if is_service_enabled horizon; then
        setup_develop "$DRAGON_DIR" dashboard
    else
        setup_develop "$DRAGON_DIR"
    fi
}

# configure_dragon_dashboard() - Enable the Disaster Recovery panels:
# link their enabled files into Horizon's local/enabled.  Runs in
# post-config, before devstack's init_horizon collects and compresses the
# static files (the panel's among them) and starts Horizon.
function configure_dragon_dashboard {
    local file
    mkdir -p "$DRAGON_HORIZON_ENABLED_DIR"
    for file in "$DRAGON_DIR"/dragon/dashboard/enabled/_[0-9]*.py; do
        [[ -e "$file" ]] || continue
        ln -sf "$file" "$DRAGON_HORIZON_ENABLED_DIR/$(basename "$file")"
    done
}

# cleanup_dragon_dashboard() - Remove the links configure_dragon_dashboard
# made.
function cleanup_dragon_dashboard {
    local file
    for file in "$DRAGON_DIR"/dragon/dashboard/enabled/_[0-9]*.py; do
        rm -f "$DRAGON_HORIZON_ENABLED_DIR/$(basename "$file")"
    done
}

# create_dragon_accounts() - The service user, the "dr" service and its
# endpoints in the Keystone catalog.
function create_dragon_accounts {
    create_service_user "dragon" "admin"
    # Chunk gc reaches every project's checkpoint containers, long after
    # the trusts of their runs expired: Swift honours its reseller admin
    # role on every account (dragon/checkpoint/accounts.py).
    if is_service_enabled swift; then
        get_or_create_role "$DRAGON_SWIFT_RESELLER_ADMIN_ROLE"
        get_or_add_user_project_role "$DRAGON_SWIFT_RESELLER_ADMIN_ROLE" \
            dragon "$SERVICE_PROJECT_NAME" \
            "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME"
    fi

    local dragon_url="$DRAGON_SERVICE_PROTOCOL://$DRAGON_SERVICE_HOST:$DRAGON_SERVICE_PORT"
    get_or_create_service "$DRAGON_SERVICE_NAME" "$DRAGON_SERVICE_TYPE" \
        "Workload protection and disaster recovery"
    get_or_create_endpoint "$DRAGON_SERVICE_TYPE" "$REGION_NAME" \
        "$dragon_url" "$dragon_url" "$dragon_url"
}

# configure_dragon() - Write $DRAGON_CONF and, for uwsgi, its ini file.
function configure_dragon {
    sudo install -d -o "$STACK_USER" "$DRAGON_CONF_DIR" "$DRAGON_STATE_PATH"
    rm -f "$DRAGON_CONF"

    iniset "$DRAGON_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$DRAGON_CONF" DEFAULT state_path "$DRAGON_STATE_PATH"
    iniset_rpc_backend dragon "$DRAGON_CONF" DEFAULT

    # Without a MySQL server Dragon keeps its embedded SQLite default,
    # $state_path/dragon.sqlite.
    if [[ "$DATABASE_TYPE" == "mysql" ]]; then
        iniset "$DRAGON_CONF" database connection \
            "$(database_connection_url "$DRAGON_DB_NAME")"
    fi

    iniset "$DRAGON_CONF" api auth_strategy keystone
    iniset "$DRAGON_CONF" api bind_host "$DRAGON_SERVICE_LISTEN_ADDRESS"
    iniset "$DRAGON_CONF" api bind_port "$DRAGON_SERVICE_PORT"
    configure_keystone_authtoken_middleware "$DRAGON_CONF" dragon
    # The same service user is the trustee of the checkpoint trusts.  Its
    # own project scope serves its cross-project work (chunk gc, with the
    # reseller admin role); trusts replace it with the trust's project.
    iniset "$DRAGON_CONF" trustee auth_type password
    iniset "$DRAGON_CONF" trustee auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$DRAGON_CONF" trustee username dragon
    iniset "$DRAGON_CONF" trustee password "$SERVICE_PASSWORD"
    iniset "$DRAGON_CONF" trustee user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$DRAGON_CONF" trustee project_name "$SERVICE_PROJECT_NAME"
    iniset "$DRAGON_CONF" trustee project_domain_name "$SERVICE_DOMAIN_NAME"
    if [[ -n "$SSL_BUNDLE_FILE" ]]; then
        iniset "$DRAGON_CONF" trustee cafile "$SSL_BUNDLE_FILE"
    fi

    # The region this Dragon protects, and how often its engines look for
    # due schedule ticks and queued protections.
    iniset "$DRAGON_CONF" engine region_name "$REGION_NAME"
    iniset "$DRAGON_CONF" scheduler poll_interval "$DRAGON_SCHEDULER_POLL_INTERVAL"

    # Dragon's rules are in code; the file holds the operator's changes.
    if [[ ! -f "$DRAGON_POLICY_FILE" ]]; then
        cp "$DRAGON_DIR/etc/dragon/policy.yaml.sample" "$DRAGON_POLICY_FILE"
    fi
    iniset "$DRAGON_CONF" oslo_policy policy_file "$DRAGON_POLICY_FILE"

    # How Dragon reaches the other services: this devstack's region, found
    # through the catalog.
    local group
    for group in nova cinder glance neutron heat swift; do
        iniset "$DRAGON_CONF" "$group" region_name "$REGION_NAME"
        if [[ -n "$SSL_BUNDLE_FILE" ]]; then
            iniset "$DRAGON_CONF" "$group" cafile "$SSL_BUNDLE_FILE"
        fi
    done

    # Versioned notifications (exchange "dragon", topic "notifications")
    # for Ceilometer or any listener, as the other services send theirs.
    local driver=$DRAGON_NOTIFICATION_DRIVER
    if [[ -z "$driver" ]] && is_service_enabled ceilometer; then
        driver=messagingv2
    fi
    if [[ -n "$driver" ]]; then
        iniset "$DRAGON_CONF" oslo_messaging_notifications driver "$driver"
        iniset "$DRAGON_CONF" oslo_messaging_notifications topics notifications
    fi

    setup_logging "$DRAGON_CONF"

    if [[ "$DRAGON_API_SERVER" == "uwsgi" ]]; then
        local listen=$DRAGON_SERVICE_LISTEN_ADDRESS
        if [[ "$listen" == *:* ]]; then
            listen="[$listen]"
        fi
        # Served over HTTP by uwsgi itself on its own port, not behind
        # Apache: the catalog URL has no path prefix.
        write_uwsgi_config "$DRAGON_UWSGI_CONF" "$DRAGON_UWSGI_APP" "" \
            "$listen:$DRAGON_SERVICE_PORT" "dragon-api"
        # dragon.wsgi.api reads its configuration file from here.
        iniset "$DRAGON_UWSGI_CONF" uwsgi env "DRAGON_CONFIG_FILE=$DRAGON_CONF"
    fi
}

# init_dragon() - Create the database and bring its schema to head.
function init_dragon {
    if [[ "$DATABASE_TYPE" == "mysql" ]]; then
        recreate_database "$DRAGON_DB_NAME"
    else
        rm -f "$DRAGON_STATE_PATH/dragon.sqlite"
    fi
    "$DRAGON_BIN_DIR/dragon-manage" --config-file "$DRAGON_CONF" db sync
}

# dragon_engine_names() - The devstack service name of every engine.
function dragon_engine_names {
    local index
    echo dragon-engine
    for ((index = 2; index <= DRAGON_ENGINE_COUNT; index++)); do
        echo "dragon-engine-$index"
    done
}

# start_dragon() - Start dragon-api and the dragon-engine(s).
function start_dragon {
    if [[ "$DRAGON_API_SERVER" == "uwsgi" ]]; then
        run_process dragon-api \
            "$(which uwsgi) --procname-prefix dragon --ini $DRAGON_UWSGI_CONF"
    else
        run_process dragon-api \
            "$DRAGON_BIN_DIR/dragon-api --config-file $DRAGON_CONF"
    fi
    local engine
    for engine in $(dragon_engine_names); do
        if [[ "$engine" == dragon-engine ]]; then
            run_process "$engine" \
                "$DRAGON_BIN_DIR/dragon-engine --config-file $DRAGON_CONF"
        else
            # Each engine needs its own [engine] host (its RPC server and
            # heartbeat row); oslo.config reads it from the environment.
            run_process "$engine" \
                "$DRAGON_BIN_DIR/dragon-engine --config-file $DRAGON_CONF" \
                "" "" "OS_ENGINE__HOST=$(hostname)-${engine#dragon-}"
        fi
    done

    if is_service_enabled dragon-api; then
        echo "Waiting for dragon-api to start..."
        if ! wait_for_service "$SERVICE_TIMEOUT" \
                "$DRAGON_SERVICE_PROTOCOL://$DRAGON_SERVICE_HOST:$DRAGON_SERVICE_PORT/"; then
            die $LINENO "dragon-api did not start"
        fi
    fi
}

# stop_dragon() - Stop every Dragon process.
function stop_dragon {
    local engine
    stop_process dragon-api
    for engine in $(dragon_engine_names); do
        stop_process "$engine"
    done
}

# cleanup_dragon() - Remove the files stack.sh made: the configuration
# (uwsgi's ini and the policy file included) and the local state (the
# SQLite database).  A MySQL database goes with devstack's own clean-up of
# the database server, which clean.sh runs after the plugins' clean phase.
function cleanup_dragon {
    sudo rm -rf "$DRAGON_STATE_PATH" "$DRAGON_CONF_DIR"
}


# Dispatch
# --------

if is_service_enabled dragon-api dragon-engine; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Dragon"
        install_dragon

    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Dragon"
        create_dragon_accounts
        configure_dragon
        init_dragon
        if is_service_enabled horizon; then
            configure_dragon_dashboard
        fi

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Dragon"
        start_dragon
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_dragon
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_dragon
        if is_service_enabled horizon; then
            cleanup_dragon_dashboard
        fi
    fi
fi

# Restore xtrace
$_XTRACE_DRAGON
