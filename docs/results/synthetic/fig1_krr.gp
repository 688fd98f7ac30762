# Fig. 1: Kernel Ridge Regression (KRR): gnuplot fig1_krr.gp draws fig1_krr.png and fig1_krr.svg from fig1_krr.dat
set title "Fig. 1: Kernel Ridge Regression (KRR)" noenhanced
set xlabel "t (lower-level iterations)" noenhanced
set ylabel "|g(lambda) - grad f(lambda)| / |grad f(lambda)|" noenhanced
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "fig1_krr.png"
plot "fig1_krr.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 0 using 1:2 with linespoints lc 1 title "ITD" noenhanced, "fig1_krr.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 1 using 1:2 with linespoints lc 2 title "FP k = t" noenhanced, "fig1_krr.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 2 using 1:2 with linespoints lc 3 title "FP k = 10" noenhanced, "fig1_krr.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 3 using 1:2 with linespoints lc 4 title "CG k = t" noenhanced, "fig1_krr.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 4 using 1:2 with linespoints lc 5 title "CG k = 10" noenhanced
set terminal svg size 800,560 dynamic
set output "fig1_krr.svg"
plot "fig1_krr.dat" index 0 using 1:3:4 with filledcurves lc 1 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 0 using 1:2 with linespoints lc 1 title "ITD" noenhanced, "fig1_krr.dat" index 1 using 1:3:4 with filledcurves lc 2 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 1 using 1:2 with linespoints lc 2 title "FP k = t" noenhanced, "fig1_krr.dat" index 2 using 1:3:4 with filledcurves lc 3 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 2 using 1:2 with linespoints lc 3 title "FP k = 10" noenhanced, "fig1_krr.dat" index 3 using 1:3:4 with filledcurves lc 4 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 3 using 1:2 with linespoints lc 4 title "CG k = t" noenhanced, "fig1_krr.dat" index 4 using 1:3:4 with filledcurves lc 5 fs transparent solid 0.2 notitle, "fig1_krr.dat" index 4 using 1:2 with linespoints lc 5 title "CG k = 10" noenhanced
unset output
