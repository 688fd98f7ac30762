#pragma once
// The subcommands of `hypertape`, one file each. An experiment's subcommand has two halves:
//   add_X_command(app)       registers `hypertape X` with its options (CLI11);
//   X_section(settings, out) runs the experiment with those settings, writes its CSVs, plots and
//                            summary into `out`, and returns its Markdown section (tables beside
//                            the paper's numbers, figures embedded).
// `hypertape reproduce` calls every X_section with the experiment's quick settings.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "output.hpp"

namespace hypertape::tools {

// Options every experiment's subcommand shares.
struct CommonOptions {
    std::filesystem::path out = "results";  // results go to <out>/<subcommand>
    bool quick = false;                     // the quick size (a few minutes on 2 cores)
    bool plots = true;                      // --no-plot: CSVs only
};
// Adds --out, --quick and --no-plot to a subcommand.
void add_common_options(CLI::App& sub, CommonOptions& options);
// The Output for subcommand `name` under the common options: <out>/<name>, linked from itself.
Output output_for(const CommonOptions& options, const std::string& name);

// An option given on the command line replaces the settings' value, so that --quick's settings can
// be refined: take_if_given(steps_option, settings.steps, given.steps).
template <class T>
void take_if_given(const CLI::Option* option, T& target, const T& given) {
    if (option->count() > 0) target = given;
}

void add_memory_command(CLI::App& app);
void add_toy_command(CLI::App& app);
void add_hypercleaning_command(CLI::App& app);
void add_synthetic_command(CLI::App& app);
void add_table1_command(CLI::App& app);
void add_equilibrium_command(CLI::App& app);
void add_oneshot_command(CLI::App& app);
void add_reproduce_command(CLI::App& app);

// Each runs its experiment at the quick size into `out` and returns its section (reproduce).
Section memory_quick_section(const Output& out);
Section toy_quick_section(const Output& out);
Section hypercleaning_quick_section(const Output& out);
Section synthetic_quick_section(const Output& out);
Section table1_quick_section(const Output& out);
Section equilibrium_quick_section(const Output& out);
Section oneshot_quick_section(const Output& out);

}  // namespace hypertape::tools
