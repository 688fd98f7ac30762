# bias of h_{T-K} at T = 300: gnuplot bias.gp draws bias.png and bias.svg from bias.dat
set title "bias of h_{T-K} at T = 300" noenhanced
set xlabel "K (steps back-propagated)" noenhanced
set ylabel "|h - h_{rev}| / |h_{rev}|" noenhanced
set grid
set key top right
set logscale x
set logscale y
set format y "10^{%T}"
set terminal pngcairo size 800,560 font ",11"
set output "bias.png"
plot "bias.dat" index 0 using 1:2 with points lc 1 title "Checkpointed::binomial(4, 25)" noenhanced, "bias.dat" index 1 using 1:2 with points lc 2 title "Checkpointed::uniform(0, 25)" noenhanced, "bias.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{K}" noenhanced
set terminal svg size 800,560 dynamic
set output "bias.svg"
plot "bias.dat" index 0 using 1:2 with points lc 1 title "Checkpointed::binomial(4, 25)" noenhanced, "bias.dat" index 1 using 1:2 with points lc 2 title "Checkpointed::uniform(0, 25)" noenhanced, "bias.dat" index 2 using 1:2 with linespoints lc 3 title "Truncated{K}" noenhanced
unset output
