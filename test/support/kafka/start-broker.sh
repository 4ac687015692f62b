#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka broker on 127.0.0.1 for the tests.
#
#   test/support/kafka/start-broker.sh [STATE_DIR]
#   test/support/kafka/start-broker.sh --fetch     (only fetch the jars into the cache)
#
# STATE_DIR (default: $TMPDIR/twofold-test-kafka) holds the storage, the broker's log and
# broker.env (TWOFOLD_TEST_KAFKA_BROKERS, KAFKA_PID, KAFKA_PORT). Run again on the same
# STATE_DIR after a stop to restart the same broker (same port, same data).
# TWOFOLD_KAFKA_SECURE=1 (first start) adds two listeners beside PLAINTEXT, with a CA and
# certificates made here by openssl/keytool in STATE_DIR/tls: SASL_SSL (PLAIN and SCRAM-SHA-256,
# user "twofold", password in tls/sasl-password) and SSL with client certificates required
# (tls/client.pem, tls/client.key.pem). broker.env then also names TWOFOLD_TEST_KAFKA_SASL_SSL,
# TWOFOLD_TEST_KAFKA_MTLS and KAFKA_TLS_DIR.
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
  port="$KAFKA_PORT"; controller="$KAFKA_CONTROLLER_PORT"; sasl_port="${KAFKA_SASL_PORT:-}"; mtls_port="${KAFKA_MTLS_PORT:-}"
else
  free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
  port="$(free_port)"; controller="$(free_port)"
  while [ "$controller" = "$port" ]; do controller="$(free_port)"; done
  sasl_port=""; mtls_port=""
  if [ "${TWOFOLD_KAFKA_SECURE:-}" = "1" ]; then
    sasl_port="$(free_port)"; mtls_port="$(free_port)"
    while [ "$sasl_port" = "$port" ] || [ "$sasl_port" = "$controller" ]; do sasl_port="$(free_port)"; done
    while [ "$mtls_port" = "$port" ] || [ "$mtls_port" = "$controller" ] || [ "$mtls_port" = "$sasl_port" ]; do mtls_port="$(free_port)"; done
  fi
fi

tls="$state/tls"
if [ -n "$sasl_port" ] && [ ! -f "$tls/keystore.p12" ]; then
  mkdir -p "$tls"
  (
    cd "$tls"
    store_pw="$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
    node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))' > sasl-password
    echo "$store_pw" > store-password
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key.pem -out ca.pem -days 2 -subj "/CN=twofold test Kafka CA" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > broker.ext
    openssl req -newkey rsa:2048 -nodes -keyout broker.key.pem -out broker.csr -subj "/CN=127.0.0.1" 2>/dev/null
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key.pem -CAcreateserial -out broker.pem -days 2 -extfile broker.ext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout client.key.pem -out client.csr -subj "/CN=twofold-client" 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key.pem -CAcreateserial -out client.pem -days 2 2>/dev/null
    openssl pkcs12 -export -in broker.pem -inkey broker.key.pem -certfile ca.pem -name broker -out keystore.p12 -passout "pass:$store_pw"
    keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 -storepass "$store_pw" >/dev/null 2>&1
  ) || { echo "start-broker: making the test certificates failed" >&2; exit 1; }
fi

props="$state/server.properties"
listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller"
advertised="PLAINTEXT://127.0.0.1:$port"
protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
if [ -n "$sasl_port" ]; then
  listeners="$listeners,SASL_SSL://127.0.0.1:$sasl_port,SSL://127.0.0.1:$mtls_port"
  advertised="$advertised,SASL_SSL://127.0.0.1:$sasl_port,SSL://127.0.0.1:$mtls_port"
  protocols="$protocols,SASL_SSL:SASL_SSL,SSL:SSL"
fi
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
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

if [ -n "$sasl_port" ]; then
  store_pw="$(cat "$tls/store-password")"; sasl_pw="$(cat "$tls/sasl-password")"
  cat >> "$props" <<PROPS
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/keystore.p12
ssl.keystore.password=$store_pw
ssl.truststore.type=PKCS12
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.password=$store_pw
listener.name.ssl.ssl.client.auth=required
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_twofold="$sasl_pw";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
fi

cp "$here/log4j.properties" "$state/log4j.properties"
jvm=(java "-Xms$heap" "-Xmx$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  "-Dkafka.logs.dir=$state" "-Dlog4j.configuration=file:$state/log4j.properties" -cp "$libs/*")

if [ ! -f "$state/data/meta.properties" ]; then
  # A KRaft cluster id is 16 random bytes, base64url without padding. One that starts with "-" (1 in
  # 64) would be read by kafka-storage as an option, as Kafka's own random-uuid knows: draw again.
  cluster_id="$(node -e 'const c = require("crypto"); let s; do s = c.randomBytes(16).toString("base64url"); while (s.startsWith("-")); console.log(s)')"
  scram=()
  [ -n "$sasl_port" ] && scram=(--add-scram "SCRAM-SHA-256=[name=twofold,password=$(cat "$tls/sasl-password")]")
  "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" "${scram[@]}" >"$state/format.log" 2>&1 \
    || { echo "start-broker: formatting the storage failed:" >&2; cat "$state/format.log" >&2; exit 1; }
fi

: > "$state/server.log"
nohup "${jvm[@]}" kafka.Kafka "$props" >"$state/stdout.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if grep -q 'Kafka Server started' "$state/server.log" 2>/dev/null; then
    printf 'TWOFOLD_TEST_KAFKA_BROKERS=127.0.0.1:%s\nKAFKA_PID=%s\nKAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nKAFKA_STATE_DIR=%s\n' \
      "$port" "$pid" "$port" "$controller" "$state" > "$state/broker.env"
    [ -n "$sasl_port" ] && printf 'TWOFOLD_TEST_KAFKA_SASL_SSL=127.0.0.1:%s\nTWOFOLD_TEST_KAFKA_MTLS=127.0.0.1:%s\nKAFKA_SASL_PORT=%s\nKAFKA_MTLS_PORT=%s\nKAFKA_TLS_DIR=%s\n' \
      "$sasl_port" "$mtls_port" "$sasl_port" "$mtls_port" "$tls" >> "$state/broker.env"
    cat "$state/broker.env"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start-broker: the broker exited during start-up:" >&2; tail -n 40 "$state/server.log" "$state/stdout.log" >&2; exit 1
  fi
  sleep 0.1
done
echo "start-broker: the broker did not start within 60 s" >&2; kill "$pid" 2>/dev/null || true; exit 1
