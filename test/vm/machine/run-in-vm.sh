#!/bin/bash
# run-in-vm.sh CMD [ARGS...]
# Boots Debian's 6.1 kernel under QEMU TCG (no KVM) with cgroup v2 only
# (cgroup_no_v1=all), the host's / shared read-only over virtio-9p with a tmpfs
# overlay on top (writes anywhere, e.g. /tmp, go to guest RAM and are discarded),
# fresh tmpfs on /run and /dev/shm, cgroup2 (nsdelegate,memory_recursiveprot) on
# /sys/fs/cgroup, no cgroup v1, no systemd (PID 1 is a busybox sh script); runs CMD (argv, run by bash in the VM's
# $PWD = host $PWD) as root, streams its stdout+stderr here, powers off and
# exits with CMD's exit status (124 = timeout, 125 = VM failed).
# Env: VM_MEM (MiB, 1024) VM_SMP (1; 2 is ~2x slower on this loaded 2-core host) VM_ACCEL (tcg,thread=multi) VM_TIMEOUT (s, 900) VM_DISK_MB (scratch
#      virtio disk /dev/vda, 0=none) VM_ENV ("VAR1 VAR2" exported into the VM)
#      VM_APPEND (extra kernel args) VM_DEBUG=1 (print kernel console log)
set -u
VT=${VM_DIR:-/var/tmp/tincan-test-vm}
KERNEL=${VM_KERNEL:-$VT/vmlinux}  # uncompressed ELF, booted via PVH: skips ~3 s of xz decompression under TCG
INITRD=${VM_INITRD:-$VT/initramfs.cpio.gz}
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || { echo "run-in-vm: no VM in $VT; run $(dirname "$0")/setup.sh first" >&2; exit 125; }
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
RUN=$(mktemp -d "$VT/run.XXXXXX") || exit 125
QPID=
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
{ echo 'set -o pipefail 2>/dev/null'; printf 'exec'; printf ' %q' "$@"; echo; } > "$RUN/cmd.sh"
pwd > "$RUN/cwd"
for v in ${VM_ENV:-}; do [ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"; done > "$RUN/env"
DISK=()
if [ "${VM_DISK_MB:-0}" -gt 0 ]; then
  truncate -s "${VM_DISK_MB}M" "$RUN/disk.img"
  DISK=(-drive "file=$RUN/disk.img,if=virtio,format=raw,cache=unsafe")
fi
timeout -k 5 "${VM_TIMEOUT:-900}" qemu-system-x86_64 \
  -M q35 -accel "${VM_ACCEL:-tcg,thread=multi}" -cpu max -smp "${VM_SMP:-1}" -m "${VM_MEM:-1024}" \
  -nodefaults -no-reboot -display none -no-user-config \
  -kernel "$KERNEL" -initrd "$INITRD" \
  -append "console=ttyS0 panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 loglevel=4 ${VM_APPEND:-}" \
  -serial "file:$RUN/console.log" \
  -chardev stdio,id=out,signal=off -serial chardev:out \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$RUN,mount_tag=xfer,security_model=none" \
  "${DISK[@]}" </dev/null &
QPID=$!
wait $QPID; qrc=$?; QPID=
if [ "${VM_DEBUG:-0}" = 1 ]; then echo "---- VM console ----" >&2; cat "$RUN/console.log" >&2; fi
if [ -s "$RUN/rc" ]; then exit "$(cat "$RUN/rc")"; fi
[ "${VM_DEBUG:-0}" = 1 ] || { echo "run-in-vm: VM failed (qemu rc=$qrc); console tail:" >&2; tail -n 30 "$RUN/console.log" >&2; }
[ $qrc = 124 ] && exit 124
exit 125
