#!/usr/bin/env bash
# A standalone Spark cluster on loopback — one master and one worker, started with spark-class from the pyspark
# package (no separate Spark download) — and one comparison submitted to it (docs/scale.md).
#
#   tools/spark-cluster.sh start            master spark://127.0.0.1:7077 and a worker (SPARK_WORKER_CORES, _MEMORY)
#   tools/spark-cluster.sh compare DIR      generate a small national registry and department batches under DIR if
#                                           missing, then run every comparison rule on the cluster and on DuckDB
#   tools/spark-cluster.sh stop             stop the worker and the master (by the process ids this script saved)
#   tools/spark-cluster.sh demo [DIR]       start, compare, stop
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(command -v uv 2>/dev/null || echo "python3 -m uv")
PY="$UV run --frozen python"
SPARK_HOME=$($PY -c "import os, pyspark; print(os.path.dirname(pyspark.__file__))")
export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR=${SPARK_LOG_DIR:-$PWD/var/spark/logs}
MASTER_PORT=${SPARK_MASTER_PORT:-7077}
MASTER=spark://127.0.0.1:$MASTER_PORT
RUN=var/spark
mkdir -p "$RUN" "$SPARK_LOG_DIR"
# spark-class needs the jars directory and a bin/ beside it: both are in the pyspark wheel.
CLASS="$SPARK_HOME/bin/spark-class"

start() {
  [ -f "$RUN/master.pid" ] && kill -0 "$(cat "$RUN/master.pid")" 2>/dev/null && { echo "master already running"; return; }
  nohup "$CLASS" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" \
    --webui-port "${SPARK_MASTER_WEBUI_PORT:-8103}" > "$SPARK_LOG_DIR/master.out" 2>&1 &
  echo $! > "$RUN/master.pid"
  for _ in $(seq 60); do grep -q "I have been elected leader" "$SPARK_LOG_DIR/master.out" && break; sleep 1; done
  nohup "$CLASS" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "${SPARK_WORKER_CORES:-2}" \
    --memory "${SPARK_WORKER_MEMORY:-2g}" --webui-port "${SPARK_WORKER_WEBUI_PORT:-0}" "$MASTER" \
    > "$SPARK_LOG_DIR/worker.out" 2>&1 &
  echo $! > "$RUN/worker.pid"
  for _ in $(seq 60); do grep -q "Successfully registered with master" "$SPARK_LOG_DIR/worker.out" && break; sleep 1; done
  grep -q "Successfully registered with master" "$SPARK_LOG_DIR/worker.out" || { echo "worker did not register"; exit 1; }
  echo "Spark master $MASTER with one worker (logs in $SPARK_LOG_DIR)"
}

stop() {
  for p in worker master; do
    if [ -f "$RUN/$p.pid" ]; then kill "$(cat "$RUN/$p.pid")" 2>/dev/null || true; rm -f "$RUN/$p.pid"; fi
  done
  echo "stopped"
}

compare() {
  dir=${1:-var/spark/national}
  if [ ! -f "$dir/persons.parquet" ]; then
    $UV run --frozen fupin shell -c "
from pathlib import Path
import duckdb
from fupin.exchange.bench import AS_OF, BATCHES, NATIONAL_PERSONS
from fupin.registry.demo import generate
d = Path('$dir'); d.mkdir(parents=True, exist_ok=True)
generate(households=${HOUSEHOLDS:-20000}, area='all', seed=1, to=d / 'registry')
con = duckdb.connect()
con.execute(f\"COPY ({NATIONAL_PERSONS.format(as_of=AS_OF, registry=d / 'registry')}) TO '{d}/persons.parquet' (FORMAT parquet)\")
con.execute(f\"CREATE VIEW persons AS SELECT * FROM read_parquet('{d}/persons.parquet')\")
n = con.execute('SELECT count(*) FROM persons').fetchone()[0]
(d / 'batches').mkdir(exist_ok=True)
for name, sql in BATCHES.items():
    con.execute(f\"COPY ({sql.format(n=n, households=max(1, n // 4))}) TO '{d}/batches/{name}.parquet' (FORMAT parquet)\")
print(f'{n:,} persons and {len(BATCHES)} batches under {d}')
"
  fi
  # The driver runs here; the executors on the worker read the same files (one machine: the same paths).
  $UV run --frozen fupin compare_parquet --persons "$PWD/$dir/persons.parquet" --batches "$PWD/$dir/batches" \
    --engine spark --master "$MASTER"
  $UV run --frozen fupin compare_parquet --persons "$PWD/$dir/persons.parquet" --batches "$PWD/$dir/batches" \
    --engine duckdb
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  compare) shift; compare "$@" ;;
  demo) shift; start; trap stop EXIT; compare "$@" ;;
  *) echo "usage: $0 start|compare [DIR]|stop|demo [DIR]"; exit 2 ;;
esac
