# test accuracy (Fig. 2 center-left): gnuplot test_accuracy.gp draws test_accuracy.png and test_accuracy.svg from test_accuracy.dat
set title "test accuracy (Fig. 2 center-left)" noenhanced
set xlabel "outer iteration" noenhanced
set ylabel "test accuracy" noenhanced
set grid
set key outside right top
set terminal pngcairo size 1100,560 font ",11"
set output "test_accuracy.png"
plot "test_accuracy.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "test_accuracy.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "test_accuracy.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "test_accuracy.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "test_accuracy.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "test_accuracy.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
set terminal svg size 1100,560 dynamic
set output "test_accuracy.svg"
plot "test_accuracy.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "test_accuracy.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "test_accuracy.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "test_accuracy.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "test_accuracy.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "test_accuracy.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "test_accuracy.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
unset output
