# Fig. 1: truncation error at λ = (1, 1): gnuplot fig1_errors.gp draws fig1_errors.png and fig1_errors.svg from fig1_errors.dat
set title "Fig. 1: truncation error at λ = (1, 1)"
set xlabel "K"
set ylabel "|h_{T-K} - d_λ f|"
set grid
set key top right
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "fig1_errors.png"
plot "fig1_errors.dat" index 0 using 1:2 with lines lc 1 title "|h_{T-K} - d_λ f|", "fig1_errors.dat" index 1 using 1:2 with lines lc 2 title "bound (10): (1 - γα)^K / (γα) |∇_w f| M_B"
set terminal svg size 800,560 dynamic
set output "fig1_errors.svg"
plot "fig1_errors.dat" index 0 using 1:2 with lines lc 1 title "|h_{T-K} - d_λ f|", "fig1_errors.dat" index 1 using 1:2 with lines lc 2 title "bound (10): (1 - γα)^K / (γα) |∇_w f| M_B"
unset output
