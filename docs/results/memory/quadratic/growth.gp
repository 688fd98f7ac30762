# peak bytes above the floor against T: gnuplot growth.gp draws growth.png and growth.svg from growth.dat
set title "peak bytes above the floor against T" noenhanced
set xlabel "inner steps T" noenhanced
set ylabel "peak bytes - the smallest peak at the same T" noenhanced
set grid
set key outside right top
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "growth.png"
plot "growth.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "growth.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{5}" noenhanced, "growth.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{25}" noenhanced, "growth.dat" index 3 using 1:2 with linespoints lc 4 title "Checkpointed::uniform()" noenhanced, "growth.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform(30)" noenhanced, "growth.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::binomial(4)" noenhanced, "growth.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(16)" noenhanced, "growth.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::uniform(0, 25)" noenhanced, "growth.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::binomial(4, 25)" noenhanced, "growth.dat" index 9 using 1:2 with linespoints lc 10 title "Forward" noenhanced
set terminal svg size 1100,560 dynamic
set output "growth.svg"
plot "growth.dat" index 0 using 1:2 with linespoints lc 1 title "Reverse" noenhanced, "growth.dat" index 1 using 1:2 with linespoints lc 2 title "Truncated{5}" noenhanced, "growth.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{25}" noenhanced, "growth.dat" index 3 using 1:2 with linespoints lc 4 title "Checkpointed::uniform()" noenhanced, "growth.dat" index 4 using 1:2 with linespoints lc 5 title "Checkpointed::uniform(30)" noenhanced, "growth.dat" index 5 using 1:2 with linespoints lc 6 title "Checkpointed::binomial(4)" noenhanced, "growth.dat" index 6 using 1:2 with linespoints lc 7 title "Checkpointed::binomial(16)" noenhanced, "growth.dat" index 7 using 1:2 with linespoints lc 8 title "Checkpointed::uniform(0, 25)" noenhanced, "growth.dat" index 8 using 1:2 with linespoints lc 9 title "Checkpointed::binomial(4, 25)" noenhanced, "growth.dat" index 9 using 1:2 with linespoints lc 10 title "Forward" noenhanced
unset output
