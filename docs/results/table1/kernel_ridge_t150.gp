# Kernel ridge on diabetes, t = 150: gnuplot kernel_ridge_t150.gp draws kernel_ridge_t150.png and kernel_ridge_t150.svg from kernel_ridge_t150.dat
set title "Kernel ridge on diabetes, t = 150" noenhanced
set xlabel "outer step" noenhanced
set ylabel "outer objective" noenhanced
set grid
set key top right
set terminal pngcairo size 800,560 font ",11"
set output "kernel_ridge_t150.png"
plot "kernel_ridge_t150.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "kernel_ridge_t150.dat" index 1 using 1:2 with lines lc 2 title "FP k=t" noenhanced, "kernel_ridge_t150.dat" index 2 using 1:2 with lines lc 3 title "CG k=t" noenhanced, "kernel_ridge_t150.dat" index 3 using 1:2 with lines lc 4 title "FP k=kr" noenhanced, "kernel_ridge_t150.dat" index 4 using 1:2 with lines lc 5 title "CG k=kr" noenhanced
set terminal svg size 800,560 dynamic
set output "kernel_ridge_t150.svg"
plot "kernel_ridge_t150.dat" index 0 using 1:2 with lines lc 1 title "ITD" noenhanced, "kernel_ridge_t150.dat" index 1 using 1:2 with lines lc 2 title "FP k=t" noenhanced, "kernel_ridge_t150.dat" index 2 using 1:2 with lines lc 3 title "CG k=t" noenhanced, "kernel_ridge_t150.dat" index 3 using 1:2 with lines lc 4 title "FP k=kr" noenhanced, "kernel_ridge_t150.dat" index 4 using 1:2 with lines lc 5 title "CG k=kr" noenhanced
unset output
