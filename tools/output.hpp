#pragma once
// Where a subcommand's results go: one folder holding CSV tables, PNG and SVG plots made by
// gnuplot, a JSON summary and a Markdown report. Plotting is optional at run time: without
// gnuplot on the PATH (or with --no-plot) the CSVs, the gnuplot scripts and the report are still
// written and a one-line note says so.
//
//   Output out("results/toy", "results/toy", true);
//   Table errors{"errors", {"K", "error", "bound"}};
//   errors.add({1LL, 0.12, 0.5});
//   out.write(errors);                                      // results/toy/errors.csv
//   Figure fig{"fig1", "Prop. 3.1", "K", "error", false, true};
//   fig.series.push_back({"|h_{T-K} - d f|", ks, err});
//   std::string md = out.markdown(errors) + out.image(fig);  // a table and an embedded plot
//   out.summary(json);                                      // results/toy/summary.json
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "hypertape/experiments/progress.hpp"

namespace hypertape::tools {

// A number, a count or a text.
using Cell = std::variant<double, long long, std::string>;

struct Table {
    std::string name;  // the file stem: <name>.csv
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;

    void add(std::vector<Cell> row);  // throws hypertape::Error when the row's width is not columns.size()
};

// One curve: points (x[i], y[i]); NaN or Inf values are left out of the plot. Where low and high
// are given (same length as y), a shaded band from low to high is drawn under the curve.
struct Series {
    std::string title;
    std::vector<double> x;
    std::vector<double> y;
    std::vector<double> low;
    std::vector<double> high;
    std::string style = "linespoints";  // gnuplot's: lines, points, linespoints
};

struct Figure {
    std::string name;  // the file stem: <name>.png, <name>.svg, <name>.gp, <name>.dat
    std::string title;
    std::string xlabel;
    std::string ylabel;
    bool logx = false;
    bool logy = false;
    std::vector<Series> series;
    // Titles and labels as gnuplot enhanced text (h_{T-K}, x^2: sub- and superscripts) instead of
    // printed as written; enhanced text reads _ ^ { } @ & ~ as markup.
    bool enhanced = false;
};

struct Section {
    std::string title;
    std::string markdown;  // the body, tables and images included, for a report or docs/results.md
};

class Output {
public:
    // dir: the folder written (created if missing). link_base: the folder's path as seen from the
    // Markdown document that will embed the images (the folder itself: "."; docs/results.md:
    // "results/toy"). plots: run gnuplot (when it is on the PATH).
    Output(std::filesystem::path dir, std::string link_base, bool plots);

    const std::filesystem::path& dir() const { return dir_; }
    // The folder <dir>/<name>, linked as <link_base>/<name>: a part of this output with files of its own.
    Output sub(const std::string& name) const;

    std::filesystem::path write(const Table& table) const;  // <dir>/<name>.csv
    void plot(const Figure& figure) const;                  // .dat, .gp, and .png/.svg with gnuplot
    void summary(const nlohmann::json& summary) const;      // <dir>/summary.json
    void report(const Section& section) const;              // <dir>/README.md: the section alone

    // A Markdown table of the table's rows (numbers to `digits` significant digits).
    static std::string markdown(const Table& table, int digits = 4);
    // Plots the figure and returns the Markdown that embeds its PNG (or, without gnuplot, a line
    // naming its CSV-like .dat file).
    std::string image(const Figure& figure) const;

private:
    std::filesystem::path dir_;
    std::string link_base_;
    bool plots_;
};

// A progress callback for experiments: on a terminal, a bar redrawn in place on stderr (at each
// new stage, at the end and at most 10 times a second between); otherwise a plain line per stage,
// at the end, and at most one every `seconds` seconds.
experiments::Progress progress_on_stderr(double seconds = 10);

// "1.23 s", "45.6 MB": numbers as people read them in reports.
std::string format_seconds(double seconds);
std::string format_bytes(double bytes);
std::string format_number(double v, int digits = 3);      // %g with `digits` significant digits: "0.0123"
std::string format_fixed(double v, int decimals);         // %f with `decimals` decimals: "87.50"
std::string format_list(const std::vector<int>& values);  // "1, 5, 25"

}  // namespace hypertape::tools
