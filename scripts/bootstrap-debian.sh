#!/usr/bin/env bash
# Installs the Debian 12 packages listed in deps/debian-12.txt that are missing.
# Idempotent and silent when everything is already installed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
list="$here/deps/debian-12.txt"

# Virtual packages count when an installed package provides them (npm comes
# with some builds of nodejs).
provided=$(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null | sed -n 's/^ii *|//p' |
  tr ',' '\n' | sed 's/(.*)//; s/[[:space:]]//g' | sort -u)

missing=()
while IFS= read -r pkg; do
  pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
  [ -n "$pkg" ] || continue
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || grep -qxF "$pkg" <<<"$provided" || missing+=("$pkg")
done <"$list"

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "bootstrap: missing packages: ${missing[*]}" >&2
  echo "bootstrap: run this script as root, or install sudo" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
