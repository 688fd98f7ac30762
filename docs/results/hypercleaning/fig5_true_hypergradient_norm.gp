# Fig. 5: |d_lambda f| (full RMD) at the K-RMD iterates: gnuplot fig5_true_hypergradient_norm.gp draws fig5_true_hypergradient_norm.png and fig5_true_hypergradient_norm.svg from fig5_true_hypergradient_norm.dat
set title "Fig. 5: |d_lambda f| (full RMD) at the K-RMD iterates" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "|d_lambda f|" noenhanced
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "fig5_true_hypergradient_norm.png"
plot "fig5_true_hypergradient_norm.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 1 using 1:2 with linespoints lc 2 title "5-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 3 using 1:2 with linespoints lc 4 title "full RMD (K = T = 100)" noenhanced
set terminal svg size 800,560 dynamic
set output "fig5_true_hypergradient_norm.svg"
plot "fig5_true_hypergradient_norm.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 1 using 1:2 with linespoints lc 2 title "5-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced, "fig5_true_hypergradient_norm.dat" index 3 using 1:2 with linespoints lc 4 title "full RMD (K = T = 100)" noenhanced
unset output
