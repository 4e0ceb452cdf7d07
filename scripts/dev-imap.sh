#!/usr/bin/env bash
# dev-imap.sh — a throwaway Dovecot 2.3 IMAP server on 127.0.0.1 for development and tests.
#
# Everything (config, TLS material, sockets, logs, mail) lives in one state folder;
# nothing under /etc/dovecot, /var/run/dovecot or /var/lib/dovecot is read or written,
# and no system service is involved. Run `scripts/dev-imap.sh help` for usage.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PROG="$(basename "$0")"

STATE_DIR="$(realpath -m -- "${ALARMINBOX_IMAP_DIR:-$REPO_ROOT/.dev-imap}")"
IMAP_PORT="${ALARMINBOX_IMAP_PORT:-10143}"
IMAPS_PORT="${ALARMINBOX_IMAPS_PORT:-10993}"
OAUTH_ISSUER="${ALARMINBOX_OAUTH_ISSUER:-https://sts.windows.net/alarminbox-test/}"
OAUTH_AUDIENCE="https://outlook.office365.com"
START_TIMEOUT="${ALARMINBOX_IMAP_START_TIMEOUT:-20}"   # seconds
STOP_TIMEOUT=15                                        # seconds
HOST=127.0.0.1
# A second listening address with the same ports where each user may hold only one session from one IP
# (mail_max_userip_connections = 1): tests of how clients handle a server's connection limit use it.
LIMITED_HOST=127.0.0.2

CONF="$STATE_DIR/dovecot.conf"
OAUTH_CONF="$STATE_DIR/dovecot-oauth2.conf.ext"
PASSWD_FILE="$STATE_DIR/passwd"
OAUTH_KEYS_DIR="$STATE_DIR/oauth-keys"
OAUTH_HS256_KEY_FILE="$OAUTH_KEYS_DIR/default/HS256/default"
TLS_DIR="$STATE_DIR/tls"
CERT_FILE="$TLS_DIR/cert.pem"     # self-signed: it is its own CA, trust this file
KEY_FILE="$TLS_DIR/key.pem"
DH_FILE="$TLS_DIR/dh.pem"
BASE_DIR="$STATE_DIR/run"         # Dovecot base_dir: sockets + master.pid
DOVECOT_STATE_DIR="$STATE_DIR/lib"
MAIL_DIR="$STATE_DIR/mail"
LOG_FILE="$STATE_DIR/dovecot.log"
RUN_INFO="$STATE_DIR/running.env" # ports of the running instance, for stop/status

MAIL_USER=nobody
MAIL_GROUP=nogroup
AUTH_GROUP=dovecot                # Dovecot's auth process runs as the dovecot user

usage() {
    cat <<EOF
Usage: $PROG <command> [args]

Runs a throwaway Dovecot IMAP server on $HOST (never a system service).

Commands:
  start                          (Re)write the config and (re)start Dovecot, wait until the
                                 IMAP port greets, print host, ports and the certificate path.
                                 If it is already running it is restarted. Mail is kept.
  stop                           Stop it and wait until its processes and ports are gone.
  status                         Exit 0 if running (prints pid and ports), 1 otherwise.
  add-user <user> <password>     Add or replace a password user (scheme PLAIN), e.g.
                                 alarm@ff-musterdorf.example, and create its Maildir.
                                 Takes effect at once (Dovecot re-reads the passwd-file).
                                 The same user can also log in with XOAUTH2/OAUTHBEARER.
  append <user> <file.eml|-> [folder]
                                 Deliver one message into folder (default INBOX; created if
                                 missing) with 'doveadm save': it gets a UID at once and is
                                 seen by connected clients (after NOOP/IDLE). One doveadm
                                 process per message: ~30-50 ms measured here, up to ~140 ms
                                 on a loaded machine; for many messages use IMAP
                                 APPEND/MULTIAPPEND instead.
  oauth-key <hs256-secret-base64>
                                 Store the HS256 key that bearer tokens must be signed with
                                 and reload Dovecot (keys are cached by the auth process).
  log [lines]                    Print the tail of the Dovecot log (default 50 lines).
  help                           This text.

Environment:
  ALARMINBOX_IMAP_DIR            State folder (default: <repo>/.dev-imap; now $STATE_DIR)
  ALARMINBOX_IMAP_PORT           Plain IMAP port, STARTTLS available (default 10143)
  ALARMINBOX_IMAPS_PORT          IMAPS port, TLS on connect (default 10993)
  ALARMINBOX_OAUTH_ISSUER        Expected 'iss' of bearer tokens
                                 (default https://sts.windows.net/alarminbox-test/)
  ALARMINBOX_OAUTH_HS256_KEY     If set at 'start': the HS256 key (base64) to store first
  ALARMINBOX_IMAP_DEBUG=1        At 'start': enable auth_debug and mail_debug in the log
  ALARMINBOX_IMAP_START_TIMEOUT  Seconds to wait for the greeting at 'start' (default 20)
  ALARMINBOX_IMAP_HIGH_PERFORMANCE=1
                                 At 'start': a config for many long-lived connections (the
                                 load benchmark): login processes in high-performance mode
                                 (service_count = 0, one per core), several IMAP sessions per
                                 imap process, limits for ALARMINBOX_IMAP_MAX_CONNECTIONS.
  ALARMINBOX_IMAP_MAX_CONNECTIONS
                                 High-performance mode: concurrent IMAP sessions to allow
                                 (default 12000)
  ALARMINBOX_IMAP_CLIENTS_PER_PROCESS
                                 High-performance mode: IMAP sessions per imap process
                                 (service imap { client_limit }, default 25)

Files (below the state folder):
  tls/cert.pem                   Self-signed server certificate (CN=localhost,
                                 SAN localhost + 127.0.0.1); trust it as the CA
  passwd                         passwd-file: <user>:{PLAIN}<password>::::::
  oauth-keys/default/HS256/default
                                 base64 HS256 secret, no trailing newline
  dovecot.conf, dovecot-oauth2.conf.ext, dovecot.log, mail/<user>/Maildir

Bearer tokens accepted (AUTHENTICATE XOAUTH2 / OAUTHBEARER), HS256 JWT:
  header {"alg":"HS256","typ":"JWT"}  ("typ" is required)
  claims aud="$OAUTH_AUDIENCE" (a string, not an array), iss=<issuer>,
         sub (required by this Dovecot build, any value), iat, nbf (neither in
         the future, no leeway), exp, email=<mailbox user, = SASL user>,
         optionally roles/tid/appid/oid; no azp. The user must exist (add-user).
  Failures (wrong aud/iss/signature/user, expired) are answered after ~0.5 s;
  the reason is only in the log ('$PROG log').
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*" >&2; }

require_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (Dovecot switches to $MAIL_USER for mail access)"
}

require_tools() {
    local t
    for t in dovecot doveadm openssl setpriv; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' not found (apt-get install dovecot-core dovecot-imapd openssl)"
    done
}

check_port() {
    [[ $1 =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )) || die "invalid port '$1'"
}

# ---------------------------------------------------------------------------------------
# Process helpers

master_pid() {
    # Prints the pid of our running Dovecot master, or fails.
    local pid exe
    [[ -r $BASE_DIR/master.pid ]] || return 1
    pid="$(tr -dc '0-9' < "$BASE_DIR/master.pid")"
    [[ -n $pid ]] || return 1
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
    [[ $(basename "$exe") == dovecot ]] || return 1
    pid_alive "$pid" || return 1
    echo "$pid"
}

is_running() { master_pid >/dev/null; }

pid_alive() {
    # True if process $1 exists and is not a zombie (a daemonised master, once exited,
    # can stay <defunct> for a while until init reaps it).
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ -n $stat && ${stat%% *} != Z ]]
}

port_open() {
    # True if something accepts TCP connections on $HOST:$1.
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

imap_greets() {
    # True if $HOST:$1 answers with an IMAP '* OK' greeting.
    timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$1 && IFS= read -r -t 2 line <&3 && [[ \$line == '* OK'* ]]" 2>/dev/null
}

imaps_greets() {
    # True if $HOST:$1 completes a TLS handshake verified against our certificate
    # and then sends an IMAP greeting.
    printf 'a LOGOUT\r\n' \
        | timeout 5 openssl s_client -connect "$HOST:$1" -servername localhost \
              -CAfile "$CERT_FILE" -verify_return_error -quiet 2>/dev/null \
        | grep -q '^\* OK'
}

running_ports() {
    # Ports of the running instance (recorded at start), falling back to the env ones.
    if [[ -r $RUN_INFO ]]; then
        # shellcheck disable=SC1090
        ( source "$RUN_INFO"; echo "$RUN_IMAP_PORT $RUN_IMAPS_PORT" )
    else
        echo "$IMAP_PORT $IMAPS_PORT"
    fi
}

doveadm_c() { doveadm -c "$CONF" "$@"; }

require_config() {
    [[ -r $CONF ]] || die "no config in $STATE_DIR — run '$PROG start' first"
}

# ---------------------------------------------------------------------------------------
# Setup

prepare_dirs() {
    mkdir -p "$STATE_DIR" "$TLS_DIR" "$BASE_DIR" "$DOVECOT_STATE_DIR" "$MAIL_DIR" \
             "$(dirname "$OAUTH_HS256_KEY_FILE")"
    chmod 0755 "$STATE_DIR" "$BASE_DIR" "$DOVECOT_STATE_DIR"
    chmod 0755 "$TLS_DIR"   # cert world-readable; key.pem itself is 0600
    chown "$MAIL_USER:$MAIL_GROUP" "$MAIL_DIR"
    chmod 0755 "$MAIL_DIR"
    # Key folders: readable by Dovecot's auth process (user dovecot), not by others.
    chown -R "root:$AUTH_GROUP" "$OAUTH_KEYS_DIR"
    find "$OAUTH_KEYS_DIR" -type d -exec chmod 0750 {} +
    if [[ ! -e $PASSWD_FILE ]]; then
        : > "$PASSWD_FILE"
    fi
    chown "root:$AUTH_GROUP" "$PASSWD_FILE"
    chmod 0640 "$PASSWD_FILE"

    # Unprivileged Dovecot processes must be able to reach the state folder.
    if ! setpriv --reuid="$MAIL_USER" --regid="$MAIL_GROUP" --clear-groups test -x "$MAIL_DIR"; then
        die "user $MAIL_USER cannot reach $MAIL_DIR: a parent folder of $STATE_DIR is not searchable (chmod o+x it, or choose another ALARMINBOX_IMAP_DIR)"
    fi
    # Unix socket paths are limited to 108 bytes; Dovecot's longest name below base_dir is ~25.
    if (( ${#BASE_DIR} > 80 )); then
        die "state folder path too long for Dovecot's unix sockets ($BASE_DIR); use a shorter ALARMINBOX_IMAP_DIR"
    fi
}

make_tls() {
    if ! openssl x509 -noout -in "$CERT_FILE" 2>/dev/null \
       || ! openssl pkey -noout -in "$KEY_FILE" 2>/dev/null; then
        info "creating self-signed certificate $CERT_FILE"
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout "$KEY_FILE" -out "$CERT_FILE" \
            -subj "/CN=localhost/O=AlarmInbox dev IMAP" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
            -addext "extendedKeyUsage=serverAuth" 2>/dev/null \
            || die "openssl could not create the certificate"
        chmod 0600 "$KEY_FILE"
        chmod 0644 "$CERT_FILE"
    fi
    if ! openssl pkeyparam -noout -in "$DH_FILE" 2>/dev/null; then
        info "creating DH parameters $DH_FILE"
        openssl dhparam -dsaparam -out "$DH_FILE" 2048 2>/dev/null \
            || die "openssl could not create DH parameters"
    fi
}

write_config() {
    local debug=no
    [[ ${ALARMINBOX_IMAP_DEBUG:-0} == 1 ]] && debug=yes

    cat > "$OAUTH_CONF" <<EOF
# Generated by scripts/dev-imap.sh — local validation of HS256 bearer tokens.
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$OAUTH_KEYS_DIR/
username_attribute = email
issuers = $OAUTH_ISSUER
audience = $OAUTH_AUDIENCE
EOF
    chown "root:$AUTH_GROUP" "$OAUTH_CONF"
    chmod 0640 "$OAUTH_CONF"

    cat > "$CONF" <<EOF
# Generated by scripts/dev-imap.sh on every start — edits are overwritten.
# Dovecot 2.3: every block must span several lines.

instance_name = alarminbox-imap-$IMAP_PORT
base_dir = $BASE_DIR
state_dir = $DOVECOT_STATE_DIR
log_path = $LOG_FILE
auth_verbose = yes
auth_debug = $debug
mail_debug = $debug

protocols = imap
listen = $HOST, $LIMITED_HOST

ssl = yes
ssl_cert = <$CERT_FILE
ssl_key = <$KEY_FILE
ssl_dh = <$DH_FILE

disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_username_chars = abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@+
auth_cache_size = 0

mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
first_valid_uid = 65534
mail_location = maildir:$MAIL_DIR/%u/Maildir
mail_fsync = never

default_process_limit = 500
default_client_limit = 2000

passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $PASSWD_FILE
}

passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $OAUTH_CONF
}

userdb {
  driver = passwd-file
  args = username_format=%u $PASSWD_FILE
  default_fields = home=$MAIL_DIR/%u
}

# '/' as hierarchy separator, like Exchange Online (on disk Maildir++ keeps '.').
namespace inbox {
  inbox = yes
  separator = /
}

mail_max_userip_connections = 1000
local $LIMITED_HOST {
  protocol imap {
    mail_max_userip_connections = 1
  }
}

service imap-login {
  inet_listener imap {
    address = $HOST, $LIMITED_HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $HOST, $LIMITED_HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}

# No growing per-IP delay after failed logins.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
    if [[ ${ALARMINBOX_IMAP_HIGH_PERFORMANCE:-0} == 1 ]]; then
        write_high_performance_config >> "$CONF"
    fi
    chmod 0644 "$CONF"
    doveconf -c "$CONF" -n >/dev/null 2>"$STATE_DIR/doveconf.err" \
        || { cat "$STATE_DIR/doveconf.err" >&2; die "generated config is invalid: $CONF"; }
    rm -f "$STATE_DIR/doveconf.err"
}

write_high_performance_config() {
    # Many long-lived sessions (one per polled mailbox) on one machine. Dovecot's defaults give every IMAP session
    # a process of its own (service imap { client_limit = 1 }) and every login a fresh imap-login process
    # (service_count = 1); 10,000 sessions would mean 10,000 imap processes, each with its own log pipe, stats and
    # anvil connection. Here: login processes are reused (high-performance mode, one per core, each holding many
    # logins), and each imap process serves several sessions. The per-process fd need stays far below the hard
    # 'ulimit -n' that a container may impose (raising it needs CAP_SYS_RESOURCE).
    local max=${ALARMINBOX_IMAP_MAX_CONNECTIONS:-12000} per=${ALARMINBOX_IMAP_CLIENTS_PER_PROCESS:-25} cores
    [[ $max =~ ^[0-9]+$ && $per =~ ^[0-9]+$ ]] && (( max > 0 && per > 0 )) || die "invalid ALARMINBOX_IMAP_MAX_CONNECTIONS/CLIENTS_PER_PROCESS"
    cores=$(nproc)
    cat <<EOF

# ALARMINBOX_IMAP_HIGH_PERFORMANCE=1: up to $max concurrent sessions, $per per imap process.
default_vsz_limit = 1G
default_client_limit = $((max + 1000))
default_process_limit = $(( (max + per - 1) / per + 100 ))
mail_max_userip_connections = $((max + 1000))
service imap-login {
  service_count = 0
  process_min_avail = $cores
  process_limit = $cores
  client_limit = $(( max / cores + 1000 ))
}
service imap {
  service_count = 0
  client_limit = $per
  process_limit = $(( (max + per - 1) / per + 50 ))
}
EOF
}

write_oauth_key() {
    local key=$1 tmp
    [[ -n $key ]] || die "empty key"
    printf '%s' "$key" | base64 -d >/dev/null 2>&1 || die "key is not valid base64"
    mkdir -p "$(dirname "$OAUTH_HS256_KEY_FILE")"
    chown -R "root:$AUTH_GROUP" "$OAUTH_KEYS_DIR"
    find "$OAUTH_KEYS_DIR" -type d -exec chmod 0750 {} +
    tmp="$(mktemp "$OAUTH_HS256_KEY_FILE.XXXXXX")"
    printf '%s' "$key" > "$tmp"             # no trailing newline: Dovecot uses the file as is
    chown "root:$AUTH_GROUP" "$tmp"
    chmod 0640 "$tmp"
    mv -f "$tmp" "$OAUTH_HS256_KEY_FILE"
}

# ---------------------------------------------------------------------------------------
# Commands

cmd_start() {
    require_root
    require_tools
    check_port "$IMAP_PORT"
    check_port "$IMAPS_PORT"
    [[ $IMAP_PORT != "$IMAPS_PORT" ]] || die "IMAP and IMAPS ports must differ"

    if is_running; then
        info "already running — restarting"
        cmd_stop
    fi
    local p
    for p in "$IMAP_PORT" "$IMAPS_PORT"; do
        ! port_open "$p" || die "port $HOST:$p is already in use by another process"
    done

    prepare_dirs
    make_tls
    if [[ -n ${ALARMINBOX_OAUTH_HS256_KEY:-} ]]; then
        write_oauth_key "$ALARMINBOX_OAUTH_HS256_KEY"
    fi
    write_config

    local log_lines=0
    [[ -f $LOG_FILE ]] && log_lines=$(wc -l < "$LOG_FILE")
    dovecot -c "$CONF" 2>"$STATE_DIR/start.err" || {
        cat "$STATE_DIR/start.err" >&2
        die "dovecot failed to start; log: $LOG_FILE"
    }
    printf 'RUN_IMAP_PORT=%s\nRUN_IMAPS_PORT=%s\n' "$IMAP_PORT" "$IMAPS_PORT" > "$RUN_INFO"

    local deadline=$((SECONDS + START_TIMEOUT))
    until imap_greets "$IMAP_PORT" && imaps_greets "$IMAPS_PORT"; do
        if (( SECONDS >= deadline )) || ! is_running; then
            echo "---- dovecot log (since this start) ----" >&2
            tail -n +"$((log_lines + 1))" "$LOG_FILE" 2>/dev/null | tail -n 30 >&2 || true
            cat "$STATE_DIR/start.err" >&2 2>/dev/null || true
            is_running && cmd_stop >/dev/null 2>&1 || true
            die "Dovecot did not greet on $HOST:$IMAP_PORT (plain) and $HOST:$IMAPS_PORT (TLS) within ${START_TIMEOUT}s"
        fi
        sleep 0.1
    done
    rm -f "$STATE_DIR/start.err"

    cat <<EOF
Dovecot is running (pid $(master_pid)), state folder $STATE_DIR
  host:      $HOST
  imap:      $IMAP_PORT (plain, STARTTLS available)
  imaps:     $IMAPS_PORT (TLS on connect)
  cert (CA): $CERT_FILE
  passwd:    $PASSWD_FILE
  oauth key: $OAUTH_HS256_KEY_FILE ($( [[ -s $OAUTH_HS256_KEY_FILE ]] && echo set || echo "not set: run '$PROG oauth-key <base64>'" ))
  issuer:    $OAUTH_ISSUER
  audience:  $OAUTH_AUDIENCE
  log:       $LOG_FILE
EOF
}

cmd_stop() {
    local pid
    if ! pid="$(master_pid)"; then
        info "not running"
        return 0
    fi
    # All Dovecot processes are children of the master; wait for every one of them.
    local pids
    pids="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
    kill -TERM "$pid" 2>/dev/null || true

    local deadline=$((SECONDS + STOP_TIMEOUT)) alive p
    while :; do
        alive=""
        for p in $pids; do
            pid_alive "$p" && alive+=" $p"
        done
        [[ -z $alive ]] && break
        if (( SECONDS >= deadline )); then
            info "processes still alive after ${STOP_TIMEOUT}s:$alive — killing"
            # shellcheck disable=SC2086
            kill -KILL $alive 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.05
    done

    local ports
    read -r -a ports <<< "$(running_ports)"
    deadline=$((SECONDS + 5))
    for p in "${ports[@]}"; do
        while port_open "$p"; do
            (( SECONDS < deadline )) || die "port $HOST:$p still open after stop"
            sleep 0.05
        done
    done
    rm -f "$RUN_INFO" "$BASE_DIR/master.pid"
    info "stopped"
}

cmd_status() {
    local pid
    if pid="$(master_pid)"; then
        local ports
        read -r -a ports <<< "$(running_ports)"
        echo "running (pid $pid) on $HOST, imap ${ports[0]}, imaps ${ports[1]}; state $STATE_DIR"
        return 0
    fi
    echo "not running (state $STATE_DIR)"
    return 1
}

validate_user() {
    local user=$1
    [[ -n $user ]] || die "empty user"
    [[ $user =~ ^[A-Za-z0-9._+@-]+$ ]] || die "user '$user' has characters other than A-Z a-z 0-9 . _ + @ -"
    [[ $user != .* ]] || die "user must not start with '.'"
}

cmd_add_user() {
    (( $# == 2 )) || die "usage: $PROG add-user <user> <password>"
    require_root
    local user=$1 password=$2
    validate_user "$user"
    [[ $password != *:* && $password != *$'\n'* && -n $password ]] \
        || die "password must be non-empty and contain no ':' or newline"

    prepare_dirs
    # Replace atomically: Dovecot re-reads the passwd-file when its mtime changes.
    local tmp
    tmp="$(mktemp "$PASSWD_FILE.XXXXXX")"
    awk -F: -v u="$user" '$1 != u' "$PASSWD_FILE" > "$tmp"
    printf '%s:{PLAIN}%s::::::\n' "$user" "$password" >> "$tmp"
    chown "root:$AUTH_GROUP" "$tmp"
    chmod 0640 "$tmp"
    mv -f "$tmp" "$PASSWD_FILE"

    local maildir="$MAIL_DIR/$user/Maildir"
    mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
    chown -R "$MAIL_USER:$MAIL_GROUP" "$MAIL_DIR/$user"
    chmod 0700 "$MAIL_DIR/$user" "$maildir"
    info "user $user set (Maildir $maildir)"
}

cmd_append() {
    (( $# == 2 || $# == 3 )) || die "usage: $PROG append <user> <file.eml|-> [folder]"
    require_root
    require_config
    local user=$1 file=$2 folder=${3:-INBOX} tmp=""
    validate_user "$user"
    if [[ $file == - ]]; then
        tmp="$(mktemp "$STATE_DIR/append.XXXXXX")"
        cat > "$tmp"
        file=$tmp
    fi
    [[ -r $file ]] || die "cannot read '$file'"

    local err rc=0
    err="$(doveadm_c save -u "$user" -m "$folder" < "$file" 2>&1)" || rc=$?
    if (( rc != 0 )) && [[ $folder != INBOX ]] && [[ $err == *"doesn't exist"* || $err == *"not found"* ]]; then
        doveadm_c mailbox create -u "$user" "$folder"
        rc=0
        err="$(doveadm_c save -u "$user" -m "$folder" < "$file" 2>&1)" || rc=$?
    fi
    [[ -n $tmp ]] && rm -f "$tmp"
    if (( rc != 0 )); then
        echo "$err" >&2
        die "doveadm save failed for user $user, folder $folder"
    fi
}

count_reloads() {
    local n
    n="$(grep -c 'SIGHUP received' "$LOG_FILE" 2>/dev/null)" || true
    echo "${n:-0}"
}

cmd_oauth_key() {
    (( $# == 1 )) || die "usage: $PROG oauth-key <hs256-secret-base64>"
    require_root
    prepare_dirs
    write_oauth_key "$1"
    info "HS256 key written to $OAUTH_HS256_KEY_FILE"
    if is_running; then
        # The auth process caches keys. SIGHUP makes the master reload the config: old
        # processes stop taking new work, and the next login gets a fresh auth process
        # (the old one lingers only while connections made through it are open).
        local pid before
        pid="$(master_pid)"
        before="$(count_reloads)"
        kill -HUP "$pid"
        local deadline=$((SECONDS + 5))
        until (( $(count_reloads) > before )); do
            (( SECONDS < deadline )) || die "Dovecot did not log the reload; see '$PROG log'"
            sleep 0.02
        done
        info "Dovecot reloaded"
    fi
}

cmd_log() {
    local n=${1:-50}
    [[ -f $LOG_FILE ]] || die "no log yet ($LOG_FILE)"
    tail -n "$n" "$LOG_FILE"
}

main() {
    local cmd=${1:-help}
    (( $# > 0 )) && shift
    case $cmd in
        start)     (( $# == 0 )) || die "usage: $PROG start"; cmd_start ;;
        stop)      (( $# == 0 )) || die "usage: $PROG stop"; cmd_stop ;;
        status)    cmd_status ;;
        add-user)  cmd_add_user "$@" ;;
        append)    cmd_append "$@" ;;
        oauth-key) cmd_oauth_key "$@" ;;
        log)       cmd_log "$@" ;;
        help|-h|--help) usage ;;
        *) usage >&2; die "unknown command '$cmd'" ;;
    esac
}

main "$@"
