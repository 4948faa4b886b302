#!/usr/bin/env bash
# Installs the agent CLIs the harness presets are proven against (issue 23), at pinned versions, from
# the npm registry into a cache folder under the repo (gitignored), once: a second run with the same
# pins does nothing. Prints the prefix; run the real-CLI tests with it:
#   BRAINBENCH_HARNESS_CLIS="$(.ci/install-harness-clis.sh)" npx vitest run test/harness/real-clis.test.ts
# Also wants ripgrep (opencode's glob/grep tools) where apt-get can install it.
# Bump a pin only together with fixtures/harnesses.yaml (each preset names its version).
set -euo pipefail
cd "$(dirname "$0")/.."
PINS=(
  @mariozechner/pi-coding-agent@0.73.1
  @qwen-code/qwen-code@0.15.10
  opencode-ai@1.18.33
  @anthropic-ai/claude-code@2.1.197
  @openai/codex@0.171.0
)
prefix="${BRAINBENCH_HARNESS_CLIS_CACHE:-$PWD/.cache/harness-clis}"
stamp="$prefix/.pins"
want="$(printf '%s\n' "${PINS[@]}")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$prefix/node_modules/.bin" ]; then
  echo "$prefix"
  exit 0
fi
if ! command -v rg >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep; } >/dev/null 2>&1 || echo "ripgrep not installed (opencode's glob/grep need it)" >&2
fi
rm -rf "$prefix"
mkdir -p "$prefix"
# the sandbox's user must read the install: every folder from / down to it needs o+x
chmod 755 "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "${PINS[@]}" >&2
printf '%s\n' "$want" >"$stamp"
echo "$prefix"
