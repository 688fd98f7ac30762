# hypergradient norm (Fig. 2 center-right): gnuplot hypergradient_norm.gp draws hypergradient_norm.png and hypergradient_norm.svg from hypergradient_norm.dat
set title "hypergradient norm (Fig. 2 center-right)" noenhanced
set xlabel "outer iteration" noenhanced
set ylabel "|g(lambda)|" noenhanced
set grid
set key outside right top
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "hypergradient_norm.png"
plot "hypergradient_norm.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "hypergradient_norm.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "hypergradient_norm.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "hypergradient_norm.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "hypergradient_norm.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "hypergradient_norm.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
set terminal svg size 1100,560 dynamic
set output "hypergradient_norm.svg"
plot "hypergradient_norm.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "hypergradient_norm.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 1 using 1:2 with lines lc 2 title "FP" noenhanced, "hypergradient_norm.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 2 using 1:2 with lines lc 3 title "CG" noenhanced, "hypergradient_norm.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 3 using 1:2 with lines lc 4 title "ITD*" noenhanced, "hypergradient_norm.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 4 using 1:2 with lines lc 5 title "FP*" noenhanced, "hypergradient_norm.dat" index 5 using 1:3:4 with filledcurves lc 6 fs transparent solid 0.2 notitle, "hypergradient_norm.dat" index 5 using 1:2 with lines lc 6 title "CG*" noenhanced
unset output
