#!/usr/bin/env bash
# The CUDA check of the ONNX runtime, on a GPU machine with CUDA 13's libraries. It checks that `--execution-provider
# cuda` and `auto` run models on the GPU through `flowops predict` and `flowops serve` (KServe V2 and MLflow
# requests), that the GPU's predictions match the CPU's, and times batch inference on the CPU and the GPU,
# through flowops and through onnxruntime-node's own loop. Prints one "CHECK ok|FAILED" line per check.
# Usage: bash bench/serving/cuda/check.sh [pack-dir]
#   with no argument: this checkout as it is (npm ci, npm run build, the CUDA provider libraries installed and
#   LD_LIBRARY_PATH set as README.md's "Serving on a GPU" says), and python3 with numpy and pyarrow;
#   with a pack directory: Node, the CLI and the provider libraries from stage.sh's parts, unpacked there.
set -uo pipefail
work=$(mktemp -d)
rows=${ROWS:-1000000}
failures=0
check() { if [ "$2" = 0 ]; then echo "CHECK ok: $1"; else echo "CHECK FAILED: $1"; failures=$((failures + 1)); fi; }

if [ $# -ge 1 ]; then
  pack=$(cd "$1" && pwd)
  xz -dc "$pack/node.xz" >"$work/node" && chmod +x "$work/node"
  export PATH="$work:$PATH"
  rt="$work/rt"
  mkdir -p "$rt" && zstd -qdc "$pack/rt.tar.zst" | tar -C "$rt" -xf -
  zstd -qdc "$pack/cuda.tar.zst" | tar -C "$rt/node_modules/onnxruntime-node/bin/napi-v6/linux/x64" -xf -
  site=$(python3 -c 'import site; print(site.getsitepackages()[0])')
  libs=$(find "$site/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | tr '\n' ':')
  export LD_LIBRARY_PATH="$libs${LD_LIBRARY_PATH:-}"
  models="$pack/models"
else
  rt=$(cd "$(dirname "$0")/../../.." && pwd)
  models="$work/models"
  (cd "$rt" && node --import tsx bench/serving/cuda/makeModels.ts "$models")
fi
ortlib="$rt/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
nvidia-smi -L
node --version
echo "libraries the CUDA provider cannot find:"
ldd "$ortlib/libonnxruntime_providers_cuda.so" | grep "not found" || echo "  none"

cd "$rt"
flowops() { node bin/flowops.js "$@"; }

echo "== onnxruntime-node on its own: a session with the CUDA provider"
node --input-type=module -e "
import * as ort from 'onnxruntime-node';
const s = await ort.InferenceSession.create('$models/small/model.onnx', { executionProviders: ['cuda'] });
const x = new ort.Tensor('float32', new Float32Array(16 * 4).fill(0.5), [4, 16]);
const r = await s.run({ input: x });
console.log('probabilities', Array.from(r.probabilities.data.slice(0, 3)));
"
check "onnxruntime-node opens a CUDA session" $?

echo "== input: $rows rows of 64 features as Parquet"
python3 - "$work/in.parquet" "$rows" <<'PY'
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
rows = int(sys.argv[2]); x = np.random.default_rng(3).standard_normal((rows, 64), dtype=np.float32)
pq.write_table(pa.table({f"f{j}": x[:, j] for j in range(64)}), sys.argv[1], row_group_size=65536)
PY

echo "== flowops predict, wide model, CPU then CUDA"
for run in "cpu 0" "cuda 0" "cuda 1" "auto 0" "cuda 2"; do
  set -- $run
  ep=$1 workers=$2
  out="$work/out-$ep-$workers.parquet"
  extra=(); [ "$workers" != 0 ] && extra=(--workers "$workers")
  batch=8192; [ "$workers" = 2 ] && batch=65536
  start=$(date +%s.%N)
  flowops predict "$models/wide" -i "$work/in.parquet" -o "$out" --batch-size "$batch" \
    "${extra[@]}" --execution-provider "$ep" --json >"$work/predict-$ep-$workers.json" 2>"$work/predict-$ep-$workers.log"
  status=$?
  end=$(date +%s.%N)
  inner=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rowsPerSecond"])' "$work/predict-$ep-$workers.json" 2>/dev/null)
  echo "predict --execution-provider $ep workers=${workers/#0/default} batch=$batch: exit $status, $(python3 -c "print(f'{$rows/($end-$start):,.0f}')") rows/s as a process, ${inner:-?} rows/s as it reports"
  cat "$work/predict-$ep-$workers.log" | grep -v '^Predicting' | tail -5
  check "predict --execution-provider $ep (workers ${workers/#0/default})" $status
done
grep -q "using the cuda execution provider" "$work/predict-auto-0.log"
check "predict --execution-provider auto picks CUDA on a GPU machine" $?

python3 - "$work" <<'PY'
import sys, numpy as np, pyarrow.parquet as pq
w = sys.argv[1]
cpu = pq.read_table(f"{w}/out-cpu-0.parquet"); gpu = pq.read_table(f"{w}/out-cuda-0.parquet")
print("output columns", cpu.column_names[-3:])
p = [c for c in cpu.column_names if c.startswith("probabilities")]
a = np.stack([cpu[c].to_numpy() for c in p]).astype(np.float64) if p else None
b = np.stack([gpu[c].to_numpy() for c in p]).astype(np.float64) if p else None
diff = float(np.abs(a - b).max()) if p else float("nan")
labels = [c for c in cpu.column_names if c.startswith("label")]
differ = cpu[labels[0]].to_numpy() != gpu[labels[0]].to_numpy()
# The GPU's matrix products round differently (TF32 by default in onnxruntime's CUDA provider), so a row whose
# two most likely classes are nearly tied may take the other label; any other difference is a fault.
top2 = np.sort(a, axis=0)[-2:]
close = (top2[1] - top2[0]) < 1e-3
print(f"rows {cpu.num_rows} vs {gpu.num_rows}; largest probability difference {diff:.2e}; "
      f"labels differ in {int(differ.sum())} rows, {int((differ & ~close).sum())} of them without a near tie")
sys.exit(0 if cpu.num_rows == gpu.num_rows and diff < 1e-3 and not (differ & ~close).any() else 1)
PY
check "CUDA predictions match the CPU's" $?

echo "== flowops serve, small model, --execution-provider cuda"
node bin/flowops.js serve "$models/small" --name small --port 18080 --execution-provider cuda >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf localhost:18080/v2/health/ready >/dev/null && break; sleep 0.2; done
curl -sf -X POST localhost:18080/v2/models/small/infer -H 'content-type: application/json' \
  -d '{"id":"r1","inputs":[{"name":"input","shape":[2,16],"datatype":"FP32","data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}'
check "KServe V2 infer on the GPU" $?
echo
curl -sf -X POST localhost:18080/invocations -H 'content-type: application/json' \
  -d '{"inputs":[[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]]}'
check "MLflow /invocations on the GPU" $?
echo
kill -TERM $server; wait $server
cat "$work/serve.log"
grep -q "using the cuda execution provider" "$work/serve.log"
check "serve logs the CUDA provider" $?

echo "== flowops serve, small model, --execution-provider auto: one-row runs timed on both providers"
serve_auto() {
  node bin/flowops.js serve "$models/small" --name small --port 18081 "$@" >"$work/serve-auto.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf localhost:18081/v2/health/ready >/dev/null && break; sleep 0.2; done
  curl -sf -X POST localhost:18081/invocations -H 'content-type: application/json' \
    -d '{"inputs":[[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]]}' >/dev/null
  status=$?
  kill -TERM $server; wait $server
  grep "execution provider\|batch-1 run" "$work/serve-auto.log"
  return $status
}
serve_auto
check "serve auto answers after timing both providers" $?
grep -q "using the cpu execution provider" "$work/serve-auto.log"
check "serve auto keeps the CPU for the small model (a one-row run is faster there)" $?
serve_auto --max-batch-size 64
check "serve auto with --max-batch-size answers" $?
grep -q "using the cuda execution provider" "$work/serve-auto.log"
check "serve auto with --max-batch-size keeps CUDA" $?

echo "== onnxruntime-node's own loop, wide model, rows/s by batch size"
node --input-type=module -e "
import * as ort from 'onnxruntime-node';
for (const ep of ['cpu', 'cuda']) {
  const s = await ort.InferenceSession.create('$models/wide/model.onnx', { executionProviders: [ep], intraOpNumThreads: 1 });
  for (const batch of [1, 64, 1024, 8192]) {
    const x = new ort.Tensor('float32', new Float32Array(batch * 64).fill(0.25), [batch, 64]);
    for (let i = 0; i < 5; i++) await s.run({ input: x });
    const runs = Math.max(20, Math.min(2000, Math.round(200000 / batch)));
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await s.run({ input: x });
    const ms = (performance.now() - t0) / runs;
    console.log(ep.padEnd(4), 'batch', String(batch).padStart(5), (ms * 1000).toFixed(0).padStart(7), 'us/run', Math.round(batch / ms * 1000).toLocaleString('en').padStart(12), 'rows/s');
  }
  await s.release();
}
"
check "timing loop" $?
echo "$failures check(s) failed"
rm -rf "$work"
exit $((failures > 0))
