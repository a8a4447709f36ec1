#!/usr/bin/env bash
# Runs a compatibility suite: the official Python mlflow client against `flowops server` (default), or the
# real dvc beside `flowops data` / `flowops repro` (FLOWOPS_COMPAT_SUITE=dvc, tests/compat/dvc).
#
#   bash tests/compat/run.sh [pytest args...]
#   FLOWOPS_COMPAT_SUITE=dvc bash tests/compat/run.sh [pytest args...]
#
# Environment:
#   FLOWOPS_COMPAT_JUNIT    junit xml to write (default: $TMPDIR/flowops-compat-junit.xml)
#   FLOWOPS_COMPAT_VENV     venv to use or create (default: .venv)
#   FLOWOPS_COMPAT_REQUIREMENTS  pins for that venv (default: tests/compat/requirements.txt)
#   FLOWOPS_COMPAT_WORKERS  dvc suite only: pytest-xdist workers (default: auto, one per core; 0: none)
#   FLOWOPS_COMPAT_MLFLOW2=1  also run the suite with the newest 2.x client (tests/compat/.venv/mlflow2,
#                             requirements-mlflow2.txt); its junit goes next to the first with a -mlflow2 suffix.
# The exit status is pytest's, except that "no tests collected" (5) is reported as a failure too.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"

suite=${FLOWOPS_COMPAT_SUITE:-mlflow}
if [[ $suite == dvc ]]; then
  junit=${FLOWOPS_COMPAT_JUNIT:-${TMPDIR:-/tmp}/flowops-compat-dvc-junit.xml}
  venv=${FLOWOPS_COMPAT_VENV:-tests/compat/.venv/dvc}
  requirements=${FLOWOPS_COMPAT_REQUIREMENTS:-tests/compat/requirements-dvc.txt}
  # The dvc suite has its own conftest; the mlflow one above it must not load into the dvc venv.
  suite_targets=(tests/compat/dvc)
  # Cases run in parallel (pytest-xdist), one worker per core unless FLOWOPS_COMPAT_WORKERS says otherwise
  # (0 runs them in this process); each case has its own tmp_path and ports, so none shares state.
  suite_flags=(--confcutdir=tests/compat/dvc -n "${FLOWOPS_COMPAT_WORKERS:-auto}")
else
  junit=${FLOWOPS_COMPAT_JUNIT:-${TMPDIR:-/tmp}/flowops-compat-junit.xml}
  venv=${FLOWOPS_COMPAT_VENV:-.venv}
  requirements=${FLOWOPS_COMPAT_REQUIREMENTS:-tests/compat/requirements.txt}
  suite_targets=(tests/compat)
  suite_flags=(--ignore=tests/compat/dvc)
fi

# The server under test is the compiled CLI; rebuild when it is missing or older than the sources.
if [[ ! -f dist/cli/main.js ]] || [[ -n "$(find src -name '*.ts' -newer dist/cli/main.js -print -quit)" ]]; then
  echo "building dist/ (npm run build)"
  if ! npm run --silent build; then
    # tsc still emits on type errors; with a server to test, report the error but run the suite.
    [[ -f dist/cli/main.js ]] || exit 1
    echo "warning: npm run build failed; testing the dist/ it emitted" >&2
  fi
fi

run_suite() {
  local venv_dir=$1 reqs=$2 junit_file=$3
  shift 3
  bash tests/compat/venv.sh "$venv_dir" "$reqs"
  local status=0 arg targets=("${suite_targets[@]}")
  for arg in "$@"; do
    if [[ -e "${arg%%::*}" ]]; then targets=(); fi
  done
  # -p no:cacheprovider keeps .pytest_cache out of the tree; -rfE lists failures and errors at the end.
  "$venv_dir/bin/python" -m pytest "${targets[@]}" "${suite_flags[@]}" -p no:cacheprovider -rfE -q \
    --junitxml="$junit_file" "$@" || status=$?
  if [[ $status -eq 5 ]]; then
    echo "compat suite: pytest collected no tests" >&2
  fi
  return "$status"
}

overall=0
run_suite "$venv" "$requirements" "$junit" "$@" || overall=$?

if [[ $suite == mlflow && "${FLOWOPS_COMPAT_MLFLOW2:-0}" == "1" ]]; then
  status=0
  run_suite tests/compat/.venv/mlflow2 tests/compat/requirements-mlflow2.txt "${junit%.xml}-mlflow2.xml" "$@" ||
    status=$?
  [[ $overall -ne 0 ]] || overall=$status
fi

exit "$overall"
