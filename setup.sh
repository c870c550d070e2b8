#!/usr/bin/env bash
# One-time setup on a fresh Debian 12 machine, as root: system packages, pnpm, dependencies, the
# native helper, all packages, the test rootfs, and `tincan` on PATH. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (containers need it)" >&2; exit 1; }
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "setup.sh: Node.js >= 20 is required" >&2; exit 1
fi
# gcc + static libc for the native helper, busybox-static for the test rootfs, util-linux for tests
need=()
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/aarch64-linux-gnu/libc.a ] || need+=(libc6-dev)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
command -v pnpm >/dev/null || npm install -g pnpm@12.21.0
pnpm install --frozen-lockfile
pnpm build
ln -sf "$PWD/apps/tincan/bin/tincan" /usr/local/bin/tincan
echo "setup.sh: done — try: tincan run test/fixtures/out/rootfs sh -c 'echo hello from \$(hostname)'"
