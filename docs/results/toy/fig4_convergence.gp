# Fig. 4: convergence on f: gnuplot fig4_convergence.gp draws fig4_convergence.png and fig4_convergence.svg from fig4_convergence.dat
set title "Fig. 4: convergence on f"
set xlabel "hyper-iteration τ"
set ylabel "f(λ_τ) - f^* (f^* = 0)"
set grid
set key outside right top
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 1100,560 font ",11"
set output "fig4_convergence.png"
plot "fig4_convergence.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig4_convergence.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig4_convergence.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig4_convergence.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig4_convergence.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig4_convergence.dat" index 5 using 1:2 with lines lc 6 title "full RMD"
set terminal svg size 1100,560 dynamic
set output "fig4_convergence.svg"
plot "fig4_convergence.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig4_convergence.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig4_convergence.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig4_convergence.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig4_convergence.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig4_convergence.dat" index 5 using 1:2 with lines lc 6 title "full RMD"
unset output
