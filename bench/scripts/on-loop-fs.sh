#!/usr/bin/env bash
# Runs a command with a fresh file system mounted from an image on the root disk through a loop
# device, then unmounts it and deletes the image. The mount point is in $LOOP_DIR.
#
#   bench/scripts/on-loop-fs.sh ext4-journal bash -c 'bench/scripts/compare-create.sh 1024 7 "$LOOP_DIR/compare"'
#   bench/scripts/on-loop-fs.sh xfs-reflink  <command...>
#   bench/scripts/on-loop-fs.sh btrfs        <command...>
#
# Three things keep the loop device from flattering or penalising what runs on it:
# - the loop device does direct I/O on its image, so that evicting a file on the mounted file
#   system really makes it cold (with a buffered loop device the image's pages stay cached in the
#   root file system's page cache, and "cold" reads come from memory);
# - the image is written in full before mkfs, and mkfs does not discard it: in a sparse image the
#   first write to each region also allocates it in the root file system, which penalised
#   whichever benchmark ran first on a fresh mount (the baseline, usually);
# - ext4 initialises its inode tables and journal at mkfs time, not in a kernel thread that
#   writes in the background for the first minutes after mounting (that made the first benchmark
#   after a mount 2.5x slower than the rest).
# AEROSNAP_LOOP_GIB sets the image's size (default 12). Run as root.
set -euo pipefail
kind=${1:?ext4-journal, xfs-reflink or btrfs}
shift
LOOP_DIR=$(mktemp -d -t aerosnap-loop.XXXXXX)
export LOOP_DIR
image="$LOOP_DIR.img"
device=""
cleanup() {
  umount "$LOOP_DIR" 2>/dev/null || true
  if [ -n "$device" ]; then losetup -d "$device" 2>/dev/null || true; fi
  rm -rf "$LOOP_DIR" "$image"
}
trap cleanup EXIT

size_gib=${AEROSNAP_LOOP_GIB:-12}
dd if=/dev/zero of="$image" bs=8M count="$((size_gib * 128))" oflag=direct status=none
case "$kind" in
  ext4-journal) mkfs.ext4 -q -F -j -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$image" ;;   # ordered-data journal, the ext4 default
  xfs-reflink) mkfs.xfs -q -f -K -m reflink=1 "$image" ;;
  btrfs) mkfs.btrfs -q -f -K "$image" ;;   # shares extents (reflink) always
  *) echo "unknown file system $kind" >&2; exit 2 ;;
esac
device=$(losetup --find --show --direct-io=on "$image")
mount "$device" "$LOOP_DIR"
echo "$kind on $device (direct I/O: $(cat "/sys/block/${device#/dev/}/loop/dio")) mounted at $LOOP_DIR"
sync

"$@"
