# F1 of the cleaner (lambda < -3) against hyper-iteration: gnuplot f1_history.gp draws f1_history.png and f1_history.svg from f1_history.dat
set title "F1 of the cleaner (lambda < -3) against hyper-iteration" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "F1" noenhanced
set grid
set key top right
set terminal pngcairo size 800,560 font ",11"
set output "f1_history.png"
plot "f1_history.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "f1_history.dat" index 1 using 1:2 with lines lc 2 title "5-RMD" noenhanced, "f1_history.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "f1_history.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 100)" noenhanced
set terminal svg size 800,560 dynamic
set output "f1_history.svg"
plot "f1_history.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "f1_history.dat" index 1 using 1:2 with lines lc 2 title "5-RMD" noenhanced, "f1_history.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "f1_history.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 100)" noenhanced
unset output
