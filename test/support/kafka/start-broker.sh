#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka broker on 127.0.0.1 for the tests.
#
#   test/support/kafka/start-broker.sh [STATE_DIR]
#   test/support/kafka/start-broker.sh --fetch     (only fetch the jars into the cache)
#
# STATE_DIR (default: $TMPDIR/twofold-test-kafka) holds the storage, the broker's log and
# broker.env (TWOFOLD_TEST_KAFKA_BROKERS, KAFKA_PID, KAFKA_PORT). Run again on the same
# STATE_DIR after a stop to restart the same broker (same port, same data).
# The broker's jars come from Maven Central once (pom.xml next to this script) and are cached.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-${TMPDIR:-/tmp}/twofold-test-kafka}"
# TWOFOLD_KAFKA_VERSION tries another broker release (e.g. 4.1.0) without editing the pom.
version="${TWOFOLD_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")}"
libs="${TWOFOLD_KAFKA_LIBS:-${XDG_CACHE_HOME:-$HOME/.cache}/twofold/kafka-$version/libs}"
heap="${TWOFOLD_KAFKA_HEAP:-256m}"

command -v java >/dev/null || { echo "start-broker: no java on PATH (Kafka needs Java 17)" >&2; exit 3; }

if [ ! -f "$libs/kafka_2.13-$version.jar" ]; then
  command -v mvn >/dev/null || { echo "start-broker: no mvn on PATH to fetch Kafka $version" >&2; exit 3; }
  mkdir -p "$libs"
  (cd "$here" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -Dkafka.version="$version" -DoutputDirectory="$libs")
fi
[ "${1:-}" = "--fetch" ] && { echo "start-broker: Kafka $version jars in $libs"; exit 0; }

mkdir -p "$state"
if [ -f "$state/broker.env" ]; then
  # shellcheck disable=SC1091
  . "$state/broker.env"
  if kill -0 "$KAFKA_PID" 2>/dev/null; then echo "start-broker: already running (pid $KAFKA_PID, port $KAFKA_PORT)" >&2; cat "$state/broker.env"; exit 0; fi
  port="$KAFKA_PORT"; controller="$KAFKA_CONTROLLER_PORT"
else
  free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
  port="$(free_port)"; controller="$(free_port)"
  while [ "$controller" = "$port" ]; do controller="$(free_port)"; done
fi

props="$state/server.properties"
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$state/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.enable=false
PROPS

cp "$here/log4j.properties" "$state/log4j.properties"
jvm=(java "-Xms$heap" "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  "-Dkafka.logs.dir=$state" "-Dlog4j.configuration=file:$state/log4j.properties" -cp "$libs/*")

if [ ! -f "$state/data/meta.properties" ]; then
  # A KRaft cluster id is 16 random bytes, base64url without padding.
  cluster_id="$(node -e 'console.log(require("crypto").randomBytes(16).toString("base64url"))')"
  "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >"$state/format.log" 2>&1 \
    || { echo "start-broker: formatting the storage failed:" >&2; cat "$state/format.log" >&2; exit 1; }
fi

: > "$state/server.log"
nohup "${jvm[@]}" kafka.Kafka "$props" >"$state/stdout.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if grep -q 'Kafka Server started' "$state/server.log" 2>/dev/null; then
    printf 'TWOFOLD_TEST_KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_PID=%s\nKAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nKAFKA_STATE_DIR=%s\n' \
      "$port" "$pid" "$port" "$controller" "$state" > "$state/broker.env"
    cat "$state/broker.env"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-broker: the broker exited during start-up:" >&2; tail -n 40 "$state/server.log" "$state/stdout.log" >&2; exit 1
  fi
  sleep 0.1
done
echo "start-broker: the broker did not start within 60 s" >&2; kill "$pid" 2>/dev/null || true; exit 1
