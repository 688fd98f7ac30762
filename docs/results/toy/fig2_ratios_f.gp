# Fig. 2 (left): h_{T-K}^T d / |d|^2 along the 1-RMD trajectory on f: gnuplot fig2_ratios_f.gp draws fig2_ratios_f.png and fig2_ratios_f.svg from fig2_ratios_f.dat
set title "Fig. 2 (left): h_{T-K}^T d / |d|^2 along the 1-RMD trajectory on f"
set xlabel "hyper-iteration τ"
set ylabel "h_{T-K}^T d_λ f / |d_λ f|^2"
set grid
set key top right
set logscale x
set terminal pngcairo size 800,560 font ",11"
set output "fig2_ratios_f.png"
plot "fig2_ratios_f.dat" index 0 using 1:2 with lines lc 1 title "K = 1", "fig2_ratios_f.dat" index 1 using 1:2 with lines lc 2 title "K = 2", "fig2_ratios_f.dat" index 2 using 1:2 with lines lc 3 title "K = 5", "fig2_ratios_f.dat" index 3 using 1:2 with lines lc 4 title "K = 10", "fig2_ratios_f.dat" index 4 using 1:2 with lines lc 5 title "K = 25"
set terminal svg size 800,560 dynamic
set output "fig2_ratios_f.svg"
plot "fig2_ratios_f.dat" index 0 using 1:2 with lines lc 1 title "K = 1", "fig2_ratios_f.dat" index 1 using 1:2 with lines lc 2 title "K = 2", "fig2_ratios_f.dat" index 2 using 1:2 with lines lc 3 title "K = 5", "fig2_ratios_f.dat" index 3 using 1:2 with lines lc 4 title "K = 10", "fig2_ratios_f.dat" index 4 using 1:2 with lines lc 5 title "K = 25"
unset output
