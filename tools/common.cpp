#include "commands.hpp"

namespace hypertape::tools {

void add_common_options(CLI::App& sub, CommonOptions& options) {
    sub.add_option("--out", options.out, "results folder; this subcommand writes into <out>/<subcommand>")
        ->capture_default_str();
    sub.add_flag("--quick", options.quick, "the quick size: a few minutes on 2 cores, instead of the paper's size");
    sub.add_flag("!--no-plot", options.plots, "write CSVs and gnuplot scripts only, draw no PNG/SVG");
}

Output output_for(const CommonOptions& options, const std::string& name) {
    return Output(options.out / name, ".", options.plots);
}

}  // namespace hypertape::tools
