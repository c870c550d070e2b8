#!/bin/bash
# One-time, idempotent setup of the cgroup-v2 test VM.
# Builds a kernel + initramfs into $VM_DIR (default /var/tmp/tincan-test-vm) from Debian's
# generic 6.1 kernel package. Needs apt (qemu-system-x86, busybox-static), xz, perl.
# The initramfs loads ext4 too: the VM's tmpfs (6.1) has no id-mapped mounts, so tests that need them
# (--userns auto on a directory root) put their files on an ext4 scratch disk (VM_DISK_MB).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VT=${VM_DIR:-/var/tmp/tincan-test-vm}
mkdir -p "$VT"; cd "$VT"
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /usr/bin/busybox ] && /usr/bin/busybox --help 2>&1 | grep -q 'multi-call' && file -L /usr/bin/busybox | grep -q static || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  for i in 1 2 3 4 5; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" && break
    apt-get update -qq || true; sleep 10
  done
fi
# Debian's generic kernel (the -cloud flavour has no 9p)
KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6/{print $2; exit}')
KVER=${KPKG#linux-image-}
if [ ! -f vmlinux ] || [ ! -f "kgen/lib/modules/$KVER/kernel/fs/ext4/ext4.ko" ]; then
  rm -f "${KPKG}"_*.deb; apt-get download "$KPKG" >/dev/null 2>&1 || { apt-get update -qq; apt-get download "$KPKG"; }
  rm -rf kgen; mkdir kgen
  dpkg-deb --fsys-tarfile "${KPKG}"_*.deb | tar -x -C kgen --wildcards \
    './boot/vmlinuz-*' './boot/config-*' \
    "./lib/modules/$KVER/kernel/drivers/virtio/*" "./lib/modules/$KVER/kernel/net/9p/*" \
    "./lib/modules/$KVER/kernel/fs/9p/*" "./lib/modules/$KVER/kernel/fs/netfs/*" \
    "./lib/modules/$KVER/kernel/fs/fscache/*" "./lib/modules/$KVER/kernel/fs/overlayfs/*" \
    "./lib/modules/$KVER/kernel/drivers/block/virtio_blk.ko" "./lib/modules/$KVER/kernel/block/bfq.ko" \
    "./lib/modules/$KVER/kernel/lib/crc16.ko" "./lib/modules/$KVER/kernel/crypto/crc32c_generic.ko" \
    "./lib/modules/$KVER/kernel/fs/mbcache.ko" "./lib/modules/$KVER/kernel/fs/jbd2/jbd2.ko" "./lib/modules/$KVER/kernel/fs/ext4/ext4.ko"
  rm -f "${KPKG}"_*.deb
  # uncompressed ELF vmlinux (PVH entry): QEMU boots it directly, no xz under TCG
  off=$(perl -e 'local $/; open F,"<",$ARGV[0]; $d=<F>; $d=~/\xfd7zXZ\x00/g or die; print pos($d)-6' kgen/boot/vmlinuz-$KVER)
  tail -c +$((off+1)) kgen/boot/vmlinuz-$KVER | xz -dc > vmlinux 2>/dev/null || true
  rm -f kgen/boot/vmlinuz-$KVER
fi
# initramfs: static busybox + virtio/9p/overlay modules + init scripts
KMOD=$VT/kgen/lib/modules/$KVER/kernel
STAGE=$VT/initramfs.d
rm -rf "$STAGE"; mkdir -p "$STAGE"/{bin,dev,proc,sys,lower,ovl,newroot,lib/modules}
cp /usr/bin/busybox "$STAGE/bin/busybox"
MODS="drivers/virtio/virtio_ring drivers/virtio/virtio
 drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/virtio/virtio_mmio
 net/9p/9pnet net/9p/9pnet_virtio fs/netfs/netfs fs/fscache/fscache fs/9p/9p
 fs/overlayfs/overlay drivers/block/virtio_blk block/bfq
 lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4"
: > "$STAGE/modules.list"
for m in $MODS; do cp "$KMOD/$m.ko" "$STAGE/lib/modules/"; basename "$m" >> "$STAGE/modules.list"; done
install -m 755 "$HERE/init" "$STAGE/init"
install -m 755 "$HERE/stage2" "$STAGE/stage2"
(cd "$STAGE" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$VT/initramfs.cpio.gz")
rm -rf "$STAGE"
echo "tincan-vm ready in $VT ($KVER)"
