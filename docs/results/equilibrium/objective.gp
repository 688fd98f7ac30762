# training objective (Fig. 2): gnuplot objective.gp draws objective.png and objective.svg from objective.dat
set title "training objective (Fig. 2)" noenhanced
set xlabel "outer iteration" noenhanced
set ylabel "training objective f_t" noenhanced
set grid
set key outside right top
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "objective.png"
plot "objective.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "objective.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "objective.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "objective.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "objective.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "objective.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "objective.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "objective.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "objective.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "objective.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "objective.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "objective.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
set terminal svg size 1100,560 dynamic
set output "objective.svg"
plot "objective.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "objective.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "objective.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "objective.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "objective.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "objective.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "objective.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "objective.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "objective.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "objective.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "objective.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "objective.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
unset output
