# Fig. 7 (4): |h_K - h_full| / |h_full| against K: gnuplot fig7_relative_error.gp draws fig7_relative_error.png and fig7_relative_error.svg from fig7_relative_error.dat
set title "Fig. 7 (4): |h_K - h_full| / |h_full| against K" noenhanced
set xlabel "K" noenhanced
set ylabel "relative error" noenhanced
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "fig7_relative_error.png"
plot "fig7_relative_error.dat" index 0 using 1:2 with linespoints lc 1 title "regularised (rho = softplus(nu))" noenhanced, "fig7_relative_error.dat" index 1 using 1:2 with linespoints lc 2 title "rho = 0" noenhanced
set terminal svg size 800,560 dynamic
set output "fig7_relative_error.svg"
plot "fig7_relative_error.dat" index 0 using 1:2 with linespoints lc 1 title "regularised (rho = softplus(nu))" noenhanced, "fig7_relative_error.dat" index 1 using 1:2 with linespoints lc 2 title "rho = 0" noenhanced
unset output
