#!/usr/bin/env bash
# Runs one reconciler command from the action's inputs (all passed as environment variables,
# never pasted into the script) and writes the exit code and a Markdown report as outputs.
# Exit 0 and 2 (changes or drift present) are results, not failures; anything else fails.
set -uo pipefail

report="$RUNNER_TEMP/reconciler-$RECONCILER_COMMAND.md"
log="$RUNNER_TEMP/reconciler-$RECONCILER_COMMAND.log"
read -r -a extra <<< "${RECONCILER_ARGS:-}"
read -r -a targets <<< "${RECONCILER_TARGET:-}"
cmd=(reconciler "$RECONCILER_COMMAND" "$RECONCILER_PATH")
if [[ ${#targets[@]} -gt 1 && "$RECONCILER_COMMAND" != drift ]]; then
  echo "::error::only drift takes several targets; run a matrix for $RECONCILER_COMMAND"
  exit 1
fi
for target in "${targets[@]}"; do
  cmd+=(--target "$target")
done

fenced() {  # a command's text output as a Markdown code block under a heading
  printf '### reconciler %s\n\n```\n' "$RECONCILER_COMMAND"
  cat "$log"
  printf '```\n'
}

case "$RECONCILER_COMMAND" in
  plan)
    cmd+=(--format markdown --detailed-exitcode)
    if [[ -n "$RECONCILER_PLAN_FILE" ]]; then
      mkdir -p "$(dirname "$RECONCILER_PLAN_FILE")"
      cmd+=(--out "$RECONCILER_PLAN_FILE")
    fi
    "${cmd[@]}" "${extra[@]}" > "$report"
    code=$?
    ;;
  drift)
    cmd+=(--format markdown)
    "${cmd[@]}" "${extra[@]}" > "$report"
    code=$?
    ;;
  apply)
    cmd+=(--auto-approve)
    if [[ -n "$RECONCILER_PLAN_FILE" ]]; then
      cmd+=(--plan "$RECONCILER_PLAN_FILE")
    fi
    "${cmd[@]}" "${extra[@]}" 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    fenced > "$report"
    ;;
  validate)
    "${cmd[@]}" "${extra[@]}" 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    fenced > "$report"
    ;;
  *)
    echo "::error::command must be validate, plan, apply or drift"
    exit 1
    ;;
esac

cat "$report" >> "$GITHUB_STEP_SUMMARY"
{
  echo "exit-code=$code"
  echo "report=$report"
  echo "plan-file=$RECONCILER_PLAN_FILE"
} >> "$GITHUB_OUTPUT"
if [[ $code -ne 0 && $code -ne 2 ]]; then
  echo "::error::reconciler $RECONCILER_COMMAND failed with exit code $code"
  exit "$code"
fi
exit 0
