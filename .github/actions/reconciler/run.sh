#!/usr/bin/env bash
# Runs one reconciler command from the action's inputs (all passed as environment variables,
# never pasted into the script) and writes the exit code and a Markdown report as outputs.
# Exit 0 and 2 (changes or drift present) are results, not failures; anything else fails,
# and then the error text goes into the report (so into the step summary and the pull-request
# comment), and reconciler's ::error annotations reach the runner on stdout.
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
  grep -v '^::' "$log"
  printf '```\n'
}

failure() {  # what went wrong, for readers of the summary and the comment
  printf '### ❌ reconciler %s %s failed (exit %s)\n\n```\n' \
    "$RECONCILER_COMMAND" "${RECONCILER_TARGET:-(default target)}" "$1"
  grep -v '^::' "$log"
  printf '```\n'
}

case "$RECONCILER_COMMAND" in
  plan)
    cmd+=(--format markdown --detailed-exitcode)
    if [[ -n "$RECONCILER_PLAN_FILE" ]]; then
      mkdir -p "$(dirname "$RECONCILER_PLAN_FILE")"
      cmd+=(--out "$RECONCILER_PLAN_FILE")
    fi
    "${cmd[@]}" "${extra[@]}" > "$report" 2> "$log"
    code=$?
    cat "$log"
    ;;
  drift)
    cmd+=(--format markdown)
    "${cmd[@]}" "${extra[@]}" > "$report" 2> "$log"
    code=$?
    cat "$log"
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

if [[ $code -ne 0 && $code -ne 2 && "$RECONCILER_COMMAND" =~ ^(plan|drift)$ ]]; then
  failure "$code" >> "$report"
fi
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
