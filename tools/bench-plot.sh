#!/usr/bin/env bash
# Draw the walker benchmark's data files (written by bench_walker --out DIR)
# into DIR/walker.png with gnuplot.
set -euo pipefail
dir=${1:-build/bench}
tools/deps.sh host
for f in map_unmap.dat faults.dat zap_gaps.dat; do
	[ -s "$dir/$f" ] || { echo "bench-plot: $dir/$f missing or empty" >&2; exit 1; }
done
gnuplot <<GP
set terminal png size 1400,450 font ",10"
set output "$dir/walker.png"
set multiplot layout 1,3
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set ylabel "ns per 4K page"
set title "map/unmap 1 GiB in 4K pages vs store-only loop"
plot "$dir/map_unmap.dat" using 2:xtic(1) title "map", '' using 3 title "store loop", \
     '' using 4 title "unmap", '' using 5 title "store loop (0)"
set ylabel "faults per microsecond"
set title "parallel faults: shared walks vs one global lock"
plot "$dir/faults.dat" using 2:xtic(1) title "global lock, 1 thr", '' using 3 title "global lock, 2 thr", \
     '' using 4 title "shared walks, 1 thr", '' using 5 title "shared walks, 2 thr"
unset style
set style data points
set xlabel "time into the 4 GiB zap (ms)"
set ylabel "stretch without a rescheduling point (us)"
set title "zap with a reschedule requested every 10 us"
set logscale y
plot "$dir/zap_gaps.dat" using 1:2 with points pt 7 ps 0.3 title "stretch", 50 with lines title "50 us goal"
unset multiplot
GP
echo "plot: $dir/walker.png"
