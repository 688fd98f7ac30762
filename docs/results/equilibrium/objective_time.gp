# training objective against time (Fig. 2 left): gnuplot objective_time.gp draws objective_time.png and objective_time.svg from objective_time.dat
set title "training objective against time (Fig. 2 left)" noenhanced
set xlabel "seconds (hypergradients, cumulative)" noenhanced
set ylabel "training objective f_t" noenhanced
set grid
set key outside right top
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "objective_time.png"
plot "objective_time.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "objective_time.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "objective_time.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "objective_time.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "objective_time.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "objective_time.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
set terminal svg size 1100,560 dynamic
set output "objective_time.svg"
plot "objective_time.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "objective_time.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "objective_time.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "objective_time.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "objective_time.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "objective_time.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
unset output
