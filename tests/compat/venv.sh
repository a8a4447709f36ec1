#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment the compatibility suite runs in.
# Usage: tests/compat/venv.sh <venv-dir> <requirements-file>
# A venv is reused when the sha256 of the requirements file matches the one stored in it after the last
# successful install, so local reruns skip the slow part; any change to the pins rebuilds it from scratch.
set -euo pipefail

venv_dir=$1
requirements=$2
stamp="$venv_dir/.flowops-requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)

if [[ -x "$venv_dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "venv $venv_dir is up to date with $requirements"
  exit 0
fi

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null || ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  # Debian ships venv/ensurepip separately from the interpreter.
  echo "installing python3 and python3-venv with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv python3-pip >/dev/null
  python=python3
fi

rm -rf "$venv_dir"
"$python" -m venv "$venv_dir"
pip_flags=(--disable-pip-version-check --quiet --progress-bar off)
"$venv_dir/bin/python" -m pip install "${pip_flags[@]}" --upgrade pip
"$venv_dir/bin/python" -m pip install "${pip_flags[@]}" -r "$requirements"
echo "$wanted" >"$stamp"
echo "venv $venv_dir: $("$venv_dir/bin/python" -m pip freeze --disable-pip-version-check | grep -iE '^(mlflow|dvc)==' | tr '\n' ' ')"
