#!/bin/sh
# The VM's Debian kernel builds ext4 as a module, which ../shared/vm does not ship, and its tmpfs (6.1)
# has no id-mapped mounts: fetch ext4 and its dependencies, once, from Debian's package of that same
# kernel, so a test in the VM can put rootfs copies on an ext4 scratch disk. Prints the modules' dir.
set -eu
VT=${VM_DIR:-/var/tmp/tincan-vm}
KVER=$(ls "$VT/kgen/lib/modules")
OUT=/var/tmp/tincan-vm-ext4/$KVER
if [ ! -f "$OUT/ext4.ko" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && { apt-get download "linux-image-$KVER" >/dev/null 2>&1 || { apt-get update -qq && apt-get download "linux-image-$KVER" >/dev/null; }; })
  dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb | tar -x -C "$tmp" --wildcards \
    "./lib/modules/$KVER/kernel/lib/crc16.ko" "./lib/modules/$KVER/kernel/crypto/crc32c_generic.ko" \
    "./lib/modules/$KVER/kernel/fs/mbcache.ko" "./lib/modules/$KVER/kernel/fs/jbd2/jbd2.ko" "./lib/modules/$KVER/kernel/fs/ext4/ext4.ko"
  mkdir -p "$OUT.tmp"
  find "$tmp/lib/modules" -name '*.ko' -exec cp {} "$OUT.tmp/" \;
  rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
fi
echo "$OUT"
