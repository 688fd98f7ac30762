// hypertape: the papers' experiments and the memory benchmark from the command line.
//
//   hypertape --help                 the subcommands
//   hypertape memory --quick         every strategy against full reverse mode, memory and bias
//   hypertape toy                    Shaban et al. Sec. 4.1 at the paper's size
//   hypertape reproduce --quick      every experiment at its quick size, and docs/results.md
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "hypertape/tape/error.hpp"

int main(int argc, char** argv) {
    namespace tools = hypertape::tools;
    CLI::App app{
        "hypertape: truncated, checkpointed, forward and implicit hypergradients.\n"
        "Each experiment subcommand runs at the paper's size by default and at a size of a few minutes with "
        "--quick; results (CSV, JSON, PNG/SVG plots, README.md) go to <out>/<subcommand>."};
    app.require_subcommand(1);
    tools::add_memory_command(app);
    tools::add_toy_command(app);
    tools::add_hypercleaning_command(app);
    tools::add_synthetic_command(app);
    tools::add_table1_command(app);
    tools::add_equilibrium_command(app);
    tools::add_oneshot_command(app);
    tools::add_reproduce_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {  // hypertape::Error, and the standard library's (a full disk, ...)
        std::fprintf(stderr, "hypertape: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
