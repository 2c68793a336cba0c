#!/usr/bin/env bash
# Installs reconciler into its own virtualenv (or reuses the one the cache restored): this
# action's source, or the pip requirement given as the action's `version` input.
set -euo pipefail

venv="$RUNNER_TEMP/reconciler-venv"
if [[ -x "$venv/bin/reconciler" ]] && "$venv/bin/reconciler" --version; then
  echo "$venv/bin" >> "$GITHUB_PATH"  # restored from the cache
  exit 0
fi
python -m venv "$venv"
if [[ -n "${RECONCILER_VERSION:-}" ]]; then
  "$venv/bin/pip" install --quiet "$RECONCILER_VERSION"
else
  "$venv/bin/pip" install --quiet "$ACTION_SOURCE"
fi
echo "$venv/bin" >> "$GITHUB_PATH"
"$venv/bin/reconciler" --version
