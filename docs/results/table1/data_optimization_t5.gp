# Training-data optimization, t = 5: gnuplot data_optimization_t5.gp draws data_optimization_t5.png and data_optimization_t5.svg from data_optimization_t5.dat
set title "Training-data optimization, t = 5" noenhanced
set xlabel "outer step" noenhanced
set ylabel "outer objective" noenhanced
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "data_optimization_t5.png"
plot "data_optimization_t5.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "data_optimization_t5.dat" index 1 using 1:2 with lines lc 2 title "FP k=t" noenhanced, "data_optimization_t5.dat" index 2 using 1:2 with lines lc 3 title "CG k=t" noenhanced
set terminal svg size 800,560 dynamic
set output "data_optimization_t5.svg"
plot "data_optimization_t5.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "data_optimization_t5.dat" index 1 using 1:2 with lines lc 2 title "FP k=t" noenhanced, "data_optimization_t5.dat" index 2 using 1:2 with lines lc 3 title "CG k=t" noenhanced
unset output
