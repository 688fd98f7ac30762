# time against T: gnuplot seconds.gp draws seconds.png and seconds.svg from seconds.dat
set title "time against T" noenhanced
set xlabel "inner steps T" noenhanced
set ylabel "seconds (forward + backward)" noenhanced
set grid
set key outside right top
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "seconds.png"
plot "seconds.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "seconds.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{1}" noenhanced, "seconds.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{5}" noenhanced, "seconds.dat" index 3 using 1:2 with linespoints lc 4 title "Truncated{25}" noenhanced, "seconds.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform()" noenhanced, "seconds.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::uniform(30)" noenhanced, "seconds.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(4)" noenhanced, "seconds.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::binomial(16)" noenhanced, "seconds.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::uniform(0, 25)" noenhanced, "seconds.dat" index 9 using 1:2 with linespoints lc 10 title "Checkpointed::binomial(4, 25)" noenhanced, "seconds.dat" index 10 using 1:2 with linespoints lc 11 title "Forward" noenhanced, "seconds.dat" index 11 using 1:2 with linespoints lc 12 title "Implicit::cg(20)" noenhanced, "seconds.dat" index 12 using 1:2 with linespoints lc 13 title "Implicit::fixed_point(20)" noenhanced
set terminal svg size 1100,560 dynamic
set output "seconds.svg"
plot "seconds.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "seconds.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{1}" noenhanced, "seconds.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{5}" noenhanced, "seconds.dat" index 3 using 1:2 with linespoints lc 4 title "Truncated{25}" noenhanced, "seconds.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform()" noenhanced, "seconds.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::uniform(30)" noenhanced, "seconds.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(4)" noenhanced, "seconds.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::binomial(16)" noenhanced, "seconds.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::uniform(0, 25)" noenhanced, "seconds.dat" index 9 using 1:2 with linespoints lc 10 title "Checkpointed::binomial(4, 25)" noenhanced, "seconds.dat" index 10 using 1:2 with linespoints lc 11 title "Forward" noenhanced, "seconds.dat" index 11 using 1:2 with linespoints lc 12 title "Implicit::cg(20)" noenhanced, "seconds.dat" index 12 using 1:2 with linespoints lc 13 title "Implicit::fixed_point(20)" noenhanced
unset output
