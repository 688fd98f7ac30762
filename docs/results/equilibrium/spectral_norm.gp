# spectral norm of A (not in the paper): gnuplot spectral_norm.gp draws spectral_norm.png and spectral_norm.svg from spectral_norm.dat
set title "spectral norm of A (not in the paper)" noenhanced
set xlabel "outer iteration" noenhanced
set ylabel "|A|_2" noenhanced
set grid
set key outside right top
set terminal pngcairo size 1100,560 font ",11"
set output "spectral_norm.png"
plot "spectral_norm.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "spectral_norm.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "spectral_norm.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "spectral_norm.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "spectral_norm.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "spectral_norm.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
set terminal svg size 1100,560 dynamic
set output "spectral_norm.svg"
plot "spectral_norm.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "spectral_norm.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "spectral_norm.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "spectral_norm.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "spectral_norm.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "spectral_norm.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "spectral_norm.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
unset output
