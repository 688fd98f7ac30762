# Fig. 3: λ_τ on f̃ (X: the optimum): gnuplot fig3_trajectories.gp draws fig3_trajectories.png and fig3_trajectories.svg from fig3_trajectories.dat
set title "Fig. 3: λ_τ on f̃ (X: the optimum)"
set xlabel "λ_1"
set ylabel "λ_2"
set grid
set key outside right top
set terminal pngcairo size 1100,560 font ",11"
set output "fig3_trajectories.png"
plot "fig3_trajectories.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig3_trajectories.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig3_trajectories.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig3_trajectories.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig3_trajectories.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig3_trajectories.dat" index 5 using 1:2 with lines lc 6 title "full RMD", "fig3_trajectories.dat" index 6 using 1:2 with points pt 2 ps 3 lc 7 title "optimal λ"
set terminal svg size 1100,560 dynamic
set output "fig3_trajectories.svg"
plot "fig3_trajectories.dat" index 0 using 1:2 with lines lc 1 title "1-RMD", "fig3_trajectories.dat" index 1 using 1:2 with lines lc 2 title "2-RMD", "fig3_trajectories.dat" index 2 using 1:2 with lines lc 3 title "5-RMD", "fig3_trajectories.dat" index 3 using 1:2 with lines lc 4 title "10-RMD", "fig3_trajectories.dat" index 4 using 1:2 with lines lc 5 title "25-RMD", "fig3_trajectories.dat" index 5 using 1:2 with lines lc 6 title "full RMD", "fig3_trajectories.dat" index 6 using 1:2 with points pt 2 ps 3 lc 7 title "optimal λ"
unset output
