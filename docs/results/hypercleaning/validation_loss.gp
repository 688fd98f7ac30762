# Validation loss f(lambda_tau) against hyper-iteration: gnuplot validation_loss.gp draws validation_loss.png and validation_loss.svg from validation_loss.dat
set title "Validation loss f(lambda_tau) against hyper-iteration" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "validation loss" noenhanced
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "validation_loss.png"
plot "validation_loss.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "validation_loss.dat" index 1 using 1:2 with lines lc 2 title "5-RMD" noenhanced, "validation_loss.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "validation_loss.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 100)" noenhanced
set terminal svg size 800,560 dynamic
set output "validation_loss.svg"
plot "validation_loss.dat" index 0 using 1:2 with lines lc 1 title "1-RMD" noenhanced, "validation_loss.dat" index 1 using 1:2 with lines lc 2 title "5-RMD" noenhanced, "validation_loss.dat" index 2 using 1:2 with lines lc 3 title "25-RMD" noenhanced, "validation_loss.dat" index 3 using 1:2 with lines lc 4 title "full RMD (K = T = 100)" noenhanced
unset output
