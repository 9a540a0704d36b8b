#!/bin/bash
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
function install_dragon {
    setup_develop "$DRAGON_DIR"
}

# create_dragon_accounts() - The service user, the "dr" service and its
# endpoints in the Keystone catalog.
function create_dragon_accounts {
    create_service_user "dragon" "admin"

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
    # The same service user is the trustee of the checkpoint trusts.
    iniset "$DRAGON_CONF" trustee auth_type password
    iniset "$DRAGON_CONF" trustee auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$DRAGON_CONF" trustee username dragon
    iniset "$DRAGON_CONF" trustee password "$SERVICE_PASSWORD"
    iniset "$DRAGON_CONF" trustee user_domain_name "$SERVICE_DOMAIN_NAME"

    # How Dragon reaches the other services: this devstack's region, found
    # through the catalog.
    local group
    for group in nova cinder glance neutron heat swift; do
        iniset "$DRAGON_CONF" "$group" region_name "$REGION_NAME"
        if [[ -n "$SSL_BUNDLE_FILE" ]]; then
            iniset "$DRAGON_CONF" "$group" cafile "$SSL_BUNDLE_FILE"
        fi
    done

    # Versioned notifications for Ceilometer or any listener, as the
    # other services of this devstack send theirs.
    if is_service_enabled ceilometer; then
        iniset "$DRAGON_CONF" oslo_messaging_notifications driver messagingv2
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

# start_dragon() - Start dragon-api and dragon-engine.
function start_dragon {
    if [[ "$DRAGON_API_SERVER" == "uwsgi" ]]; then
        run_process dragon-api \
            "$(which uwsgi) --procname-prefix dragon --ini $DRAGON_UWSGI_CONF"
    else
        run_process dragon-api \
            "$DRAGON_BIN_DIR/dragon-api --config-file $DRAGON_CONF"
    fi
    run_process dragon-engine \
        "$DRAGON_BIN_DIR/dragon-engine --config-file $DRAGON_CONF"

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
    stop_process dragon-api
    stop_process dragon-engine
}

# cleanup_dragon() - Remove configuration and local state.
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

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Dragon"
        start_dragon
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_dragon
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_dragon
    fi
fi

# Restore xtrace
$_XTRACE_DRAGON
