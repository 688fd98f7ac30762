# Fig. 7 (2): validation loss f (meta-batch mean, running mean over 3 hyper-iterations): gnuplot fig7_validation_loss.gp draws fig7_validation_loss.png and fig7_validation_loss.svg from fig7_validation_loss.dat
set title "Fig. 7 (2): validation loss f (meta-batch mean, running mean over 3 hyper-iterations)" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "validation loss" noenhanced
set grid
set key top right
set terminal pngcairo size 800,560 font ",11"
set output "fig7_validation_loss.png"
plot "fig7_validation_loss.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "fig7_validation_loss.dat" index 1 using 1:2 with lines lc 2 title "10-RMD" noenhanced, "fig7_validation_loss.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "fig7_validation_loss.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 50)" noenhanced
set terminal svg size 800,560 dynamic
set output "fig7_validation_loss.svg"
plot "fig7_validation_loss.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "fig7_validation_loss.dat" index 1 using 1:2 with lines lc 2 title "10-RMD" noenhanced, "fig7_validation_loss.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "fig7_validation_loss.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 50)" noenhanced
unset output
