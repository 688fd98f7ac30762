# Fig. 7 (1): test accuracy on 10 meta-test tasks: gnuplot fig7_test_accuracy.gp draws fig7_test_accuracy.png and fig7_test_accuracy.svg from fig7_test_accuracy.dat
set title "Fig. 7 (1): test accuracy on 10 meta-test tasks" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "test accuracy" noenhanced
set grid
set key top right
set terminal pngcairo size 800,560 font ",11"
set output "fig7_test_accuracy.png"
plot "fig7_test_accuracy.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig7_test_accuracy.dat" index 1 using 1:2 with linespoints lc 2 title "10-RMD" noenhanced, "fig7_test_accuracy.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced, "fig7_test_accuracy.dat" index 3 using 1:2 with linespoints lc 4 title "full RMD (K = T = 50)" noenhanced
set terminal svg size 800,560 dynamic
set output "fig7_test_accuracy.svg"
plot "fig7_test_accuracy.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig7_test_accuracy.dat" index 1 using 1:2 with linespoints lc 2 title "10-RMD" noenhanced, "fig7_test_accuracy.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced, "fig7_test_accuracy.dat" index 3 using 1:2 with linespoints lc 4 title "full RMD (K = T = 50)" noenhanced
unset output
