# Fig. 7 (3): cosine between K-RMD and full-RMD hypergradients: gnuplot fig7_cosine.gp draws fig7_cosine.png and fig7_cosine.svg from fig7_cosine.dat
set title "Fig. 7 (3): cosine between K-RMD and full-RMD hypergradients" noenhanced
set xlabel "hyper-iteration" noenhanced
set ylabel "cosine" noenhanced
set grid
set key top right
set terminal pngcairo size 800,560 font ",11"
set output "fig7_cosine.png"
plot "fig7_cosine.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig7_cosine.dat" index 1 using 1:2 with linespoints lc 2 title "10-RMD" noenhanced, "fig7_cosine.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced
set terminal svg size 800,560 dynamic
set output "fig7_cosine.svg"
plot "fig7_cosine.dat" index 0 using 1:2 with linespoints lc 1 title "1-RMD" noenhanced, "fig7_cosine.dat" index 1 using 1:2 with linespoints lc 2 title "10-RMD" noenhanced, "fig7_cosine.dat" index 2 using 1:2 with linespoints lc 3 title "25-RMD" noenhanced
unset output
