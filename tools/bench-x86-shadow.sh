#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The shadow-vs-nested-paging table of tools/bench-x86.sh, from its best
# values (ns of the 4K touch loop over 64 MiB = 16384 pages; the give-back
# gaps in us):
#
#   bench-x86-shadow.sh REPEAT shadow_ns npt_ns shadow_prepop_ns npt_prepop_ns \
#                       shadow_gap_us npt_gap_us
set -euo pipefail
. "$(dirname "$0")/bench-lib.sh"
ROW_BASE_WIDTH=30
repeat=$1 sh=$2 npt=$3 shp=$4 nptp=$5 shgap=$6 nptgap=$7
pages=16384

echo
printf '%-44s %12s  %-30s %12s  %8s\n' "shadow MMU vs NPT (-cpu max, one boot, best of $repeat)" \
	"shadow" "nested paging (NPT)" "NPT" "ratio"
row "64 MiB in 4K steps: faults/s" "$(per_s $pages "$sh")" "#NPF exits/s" "$(per_s $pages "$npt")"
row "64 MiB in 4K steps: touch loop, ms" "$(awk -v t="$sh" 'BEGIN { print t / 1e6 }')" \
	"touch loop, ms" "$(awk -v t="$npt" 'BEGIN { print t / 1e6 }')"
row "  memory backed first: touch loop, ms" "$(awk -v t="$shp" 'BEGIN { print t / 1e6 }')" \
	"pre-populated (no exits), ms" "$(awk -v t="$nptp" 'BEGIN { print t / 1e6 }')"
awk -v s="$sh" -v sp="$shp" -v n=$pages 'BEGIN {
	printf "    shadow: %.1f us per #PF exit with chunk zeroing, %.1f us without\n",
	       s / n / 1e3, sp / n / 1e3 }'
row "give-back 256 MiB: longest gap, us" "$shgap" "longest gap, us" "$nptgap"
echo "(the gap: what a vCPU on the same physical CPU saw between two clock reads while the"
echo " other gave 256 MiB back: the rmap zap and the nested-table unmap both stop at"
echo " rescheduling points; the tick is 1 ms)"
