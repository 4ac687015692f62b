#!/usr/bin/env bash
# Stops the broker start-broker.sh started in STATE_DIR (by its PID), waiting until it is gone.
#   test/support/kafka/stop-broker.sh [STATE_DIR] [--kill]   (--kill: SIGKILL, as a crash)
set -euo pipefail
state="${1:-${TMPDIR:-/tmp}/twofold-test-kafka}"
signal=TERM; [ "${2:-}" = "--kill" ] && signal=KILL
[ -f "$state/broker.env" ] || { echo "stop-broker: no broker.env in $state" >&2; exit 0; }
# shellcheck disable=SC1091
. "$state/broker.env"
kill -0 "$KAFKA_PID" 2>/dev/null || exit 0
kill "-$signal" "$KAFKA_PID"
for _ in $(seq 1 300); do kill -0 "$KAFKA_PID" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL "$KAFKA_PID" 2>/dev/null || true
