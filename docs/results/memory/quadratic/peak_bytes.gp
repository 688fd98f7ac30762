# peak bytes against T: gnuplot peak_bytes.gp draws peak_bytes.png and peak_bytes.svg from peak_bytes.dat
set title "peak bytes against T" noenhanced
set xlabel "inner steps T" noenhanced
set ylabel "peak bytes (Report::peak_bytes)" noenhanced
set grid
set key outside right top
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "peak_bytes.png"
plot "peak_bytes.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "peak_bytes.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{1}" noenhanced, "peak_bytes.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{5}" noenhanced, "peak_bytes.dat" index 3 using 1:2 with linespoints lc 4 title "Truncated{25}" noenhanced, "peak_bytes.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform()" noenhanced, "peak_bytes.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::uniform(30)" noenhanced, "peak_bytes.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(4)" noenhanced, "peak_bytes.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::binomial(16)" noenhanced, "peak_bytes.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::uniform(0, 25)" noenhanced, "peak_bytes.dat" index 9 using 1:2 with linespoints lc 10 title "Checkpointed::binomial(4, 25)" noenhanced, "peak_bytes.dat" index 10 using 1:2 with linespoints lc 11 title "Forward" noenhanced, "peak_bytes.dat" index 11 using 1:2 with linespoints lc 12 title "Implicit::cg(20)" noenhanced, "peak_bytes.dat" index 12 using 1:2 with linespoints lc 13 title "Implicit::fixed_point(20)" noenhanced
set terminal svg size 1100,560 dynamic
set output "peak_bytes.svg"
plot "peak_bytes.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "peak_bytes.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{1}" noenhanced, "peak_bytes.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{5}" noenhanced, "peak_bytes.dat" index 3 using 1:2 with linespoints lc 4 title "Truncated{25}" noenhanced, "peak_bytes.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform()" noenhanced, "peak_bytes.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::uniform(30)" noenhanced, "peak_bytes.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(4)" noenhanced, "peak_bytes.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::binomial(16)" noenhanced, "peak_bytes.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::uniform(0, 25)" noenhanced, "peak_bytes.dat" index 9 using 1:2 with linespoints lc 10 title "Checkpointed::binomial(4, 25)" noenhanced, "peak_bytes.dat" index 10 using 1:2 with linespoints lc 11 title "Forward" noenhanced, "peak_bytes.dat" index 11 using 1:2 with linespoints lc 12 title "Implicit::cg(20)" noenhanced, "peak_bytes.dat" index 12 using 1:2 with linespoints lc 13 title "Implicit::fixed_point(20)" noenhanced
unset output
