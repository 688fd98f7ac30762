# Fig. 3: distance to the optimum of f̃: gnuplot fig3_distance.gp draws fig3_distance.png and fig3_distance.svg from fig3_distance.dat
set title "Fig. 3: distance to the optimum of f̃"
set xlabel "hyper-iteration τ"
set ylabel "|λ_τ - λ^*|"
set grid
set key outside right top
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "fig3_distance.png"
plot "fig3_distance.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig3_distance.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig3_distance.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig3_distance.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig3_distance.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig3_distance.dat" index 5 using 1:2 with lines lc 6 title "full RMD"
set terminal svg size 1100,560 dynamic
set output "fig3_distance.svg"
plot "fig3_distance.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig3_distance.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig3_distance.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig3_distance.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig3_distance.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig3_distance.dat" index 5 using 1:2 with lines lc 6 title "full RMD"
unset output
