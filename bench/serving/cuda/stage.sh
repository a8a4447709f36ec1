#!/usr/bin/env bash
# Builds what the CUDA check (check.sh) needs on a GPU machine that has CUDA 13's libraries but no Node and no
# network, into .gpu/ (git-ignored through .git/info/exclude), split into parts under the device tool's 64 MiB
# per call: Node itself, the built CLI with its production node_modules (other platforms' onnxruntime binaries
# dropped), the test models, and onnxruntime's CUDA provider libraries taken from the onnxruntime-gpu wheel of
# onnxruntime-node's own version (npm's onnxruntime-node downloads them from GitHub, which is not reachable).
# Usage: bash bench/serving/cuda/stage.sh   (after npm ci && npm run build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(node -p "require('$repo/node_modules/onnxruntime-node/package.json').version")

mkdir -p "$work/rt/dist" "$work/pack/models"
cp -r "$repo/bin" "$repo/package.json" "$work/rt/"
cp -r "$repo/dist/bundle" "$work/rt/dist/"
cp -r "$repo/node_modules" "$work/rt/"
(cd "$work/rt" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
rm -rf "$work/rt/node_modules/onnxruntime-node/bin/napi-v6/"{darwin,win32,linux/arm64} \
  "$work/rt/node_modules/"{@kubernetes,@aws-sdk,@smithy,@resvg,@types} \
  "$work/rt/node_modules/better-sqlite3/"{deps,src}
tar -C "$work/rt" -cf - . | zstd -q -T0 -12 >"$work/pack/rt.tar.zst"
xz -T0 -6 -c "$(command -v node)" >"$work/pack/node.xz"
(cd "$repo" && node --import tsx bench/serving/cuda/makeModels.ts "$work/pack/models")

python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 -d "$work/wheel" "onnxruntime-gpu==$version"
unzip -q -j "$work/wheel/"*.whl 'onnxruntime/capi/libonnxruntime_providers_cuda.so' \
  'onnxruntime/capi/libonnxruntime_providers_shared.so' -d "$work/providers"
tar -C "$work/providers" -cf - . | zstd -q -T0 -10 >"$work/pack/cuda.tar.zst"
cp "$repo/bench/serving/cuda/check.sh" "$work/pack/"

rm -rf "$repo/.gpu"
mkdir -p "$repo/.gpu"
tar -C "$work/pack" -cf - . | split -b 45M -d - "$repo/.gpu/part"
for part in "$repo/.gpu/"part*; do mkdir "$part.d" && mv "$part" "$part.d/"; done
ls -la "$repo/.gpu/"*
