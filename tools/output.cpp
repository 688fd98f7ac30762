#include "output.hpp"

#include <csv.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "hypertape/tape/error.hpp"

extern char** environ;

namespace hypertape::tools {
namespace {

std::string number(double v, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    return text;
}

std::string cell_text(const Cell& cell, int digits) {
    if (const auto* v = std::get_if<double>(&cell)) return number(*v, digits);
    if (const auto* v = std::get_if<long long>(&cell)) return std::to_string(*v);
    return std::get<std::string>(cell);
}

std::ofstream open_for_writing(const std::filesystem::path& path) {
    std::ofstream out(path);
    if (!out) fail("output: cannot write '", path.string(), "'");
    return out;
}

// gnuplot on the PATH, looked up once.
bool have_gnuplot() {
    static const bool found = [] {
        const char* path = std::getenv("PATH");
        std::stringstream dirs(path != nullptr ? path : "");
        for (std::string dir; std::getline(dirs, dir, ':');) {
            if (!dir.empty() && access((dir + "/gnuplot").c_str(), X_OK) == 0) return true;
        }
        return false;
    }();
    return found;
}

void note_missing_gnuplot() {
    static bool noted = false;
    if (!noted) {
        std::fprintf(stderr,
                     "hypertape: gnuplot not found; CSVs and gnuplot scripts written, no plots "
                     "(install gnuplot-nox to draw them)\n");
        noted = true;
    }
}

// Runs `gnuplot script` in `dir`; throws when gnuplot fails.
void run_gnuplot(const std::filesystem::path& dir, const std::string& script) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    std::string program = "gnuplot";
    std::string argument = script;
    char* argv[] = {program.data(), argument.data(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) fail("output: cannot start gnuplot for '", (dir / script).string(), "'");
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("output: gnuplot failed on '", (dir / script).string(), "'");
    }
}

// A string as a gnuplot double-quoted literal.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A table cell's text with its | escaped, so that it does not end the cell.
std::string escape_bars(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

bool has_band(const Series& s) { return !s.low.empty() && s.low.size() == s.y.size() && s.high.size() == s.y.size(); }

void write_data(const Figure& figure, const std::filesystem::path& path) {
    std::ofstream out = open_for_writing(path);
    for (std::size_t i = 0; i < figure.series.size(); ++i) {
        const Series& s = figure.series[i];
        if (s.x.size() != s.y.size()) {
            fail("output: figure '", figure.name, "' series '", s.title, "' has ", s.x.size(), " x and ", s.y.size(),
                 " y values");
        }
        out << "# " << s.title << "\n";
        for (std::size_t j = 0; j < s.x.size(); ++j) {
            const bool band = has_band(s);
            if (!std::isfinite(s.x[j]) || !std::isfinite(s.y[j])) continue;
            if (band && !(std::isfinite(s.low[j]) && std::isfinite(s.high[j]))) continue;
            out << number(s.x[j], 10) << ' ' << number(s.y[j], 10);
            if (band) out << ' ' << number(s.low[j], 10) << ' ' << number(s.high[j], 10);
            out << '\n';
        }
        out << "\n\n";
    }
}

void write_script(const Figure& figure, const std::filesystem::path& path) {
    const std::string data = figure.name + ".dat";
    std::ofstream out = open_for_writing(path);
    out << "# " << figure.title << ": gnuplot " << figure.name << ".gp draws " << figure.name << ".png and "
        << figure.name << ".svg from " << data << "\n";
    // Unless the figure asks for enhanced text, titles and labels are printed as written; the log
    // axis' tick labels always use enhanced text for their exponents.
    const std::string text = figure.enhanced ? "" : " noenhanced";
    out << "set title " << quoted(figure.title) << text << "\nset xlabel " << quoted(figure.xlabel) << text
        << "\nset ylabel " << quoted(figure.ylabel) << text << "\nset grid\n";
    // A long legend goes beside the plot, where it hides no curve; the picture widens to keep the plot's size.
    const bool long_legend = figure.series.size() > 5;
    out << (long_legend ? "set key outside right top\n" : "set key top right\n");
    const std::string size = long_legend ? "1100,560" : "800,560";
    if (figure.logx) out << "set logscale x\n";
    if (figure.logy) out << "set logscale y\nset format y \"10^{%T}\"\n";
    std::string plot = "plot ";
    for (std::size_t i = 0; i < figure.series.size(); ++i) {
        const Series& s = figure.series[i];
        if (has_band(s)) {
            plot += quoted(data) + " index " + std::to_string(i) + " using 1:3:4 with filledcurves lc " +
                    std::to_string(i + 1) + " fs transparent solid 0.2 notitle, ";
        }
        plot += quoted(data) + " index " + std::to_string(i) + " using 1:2 with " + s.style + " lc " +
                std::to_string(i + 1) + " title " + quoted(s.title) + text + ", ";
    }
    plot.resize(plot.size() - 2);
    for (const std::string& terminal : {"pngcairo size " + size + " font \",11\"", "svg size " + size + " dynamic"}) {
        const std::string extension = terminal.starts_with("png") ? ".png" : ".svg";
        out << "set terminal " << terminal << "\nset output " << quoted(figure.name + extension) << "\n"
            << plot << "\n";
    }
    out << "unset output\n";
}

}  // namespace

void Table::add(std::vector<Cell> row) {
    if (row.size() != columns.size()) {
        fail("table '", name, "': a row of ", row.size(), " cells for ", columns.size(), " columns");
    }
    rows.push_back(std::move(row));
}

Output::Output(std::filesystem::path dir, std::string link_base, bool plots)
    : dir_(std::move(dir)), link_base_(std::move(link_base)), plots_(plots) {
    std::error_code error;
    std::filesystem::create_directories(dir_, error);
    if (error) fail("output: cannot create the folder '", dir_.string(), "': ", error.message());
}

Output Output::sub(const std::string& name) const {
    const bool here = link_base_.empty() || link_base_ == ".";
    return Output(dir_ / name, here ? name : link_base_ + "/" + name, plots_);
}

std::filesystem::path Output::write(const Table& table) const {
    const std::filesystem::path path = dir_ / (table.name + ".csv");
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "w"), std::fclose);
    if (!file) fail("output: cannot write '", path.string(), "'");
    // Numbers are written bare; texts (the header included) quoted by libcsv as RFC 4180 requires.
    const auto write_field = [&](std::size_t i, const Cell& cell) {
        if (i > 0) std::fputc(',', file.get());
        const std::string text = cell_text(cell, 17);
        if (std::holds_alternative<std::string>(cell)) {
            csv_fwrite(file.get(), text.data(), text.size());
        } else {
            std::fputs(text.c_str(), file.get());
        }
    };
    for (std::size_t i = 0; i < table.columns.size(); ++i) write_field(i, table.columns[i]);
    std::fputc('\n', file.get());
    for (const auto& row : table.rows) {
        for (std::size_t i = 0; i < row.size(); ++i) write_field(i, row[i]);
        std::fputc('\n', file.get());
    }
    if (std::ferror(file.get())) fail("output: writing '", path.string(), "' failed");
    return path;
}

void Output::plot(const Figure& figure) const {
    write_data(figure, dir_ / (figure.name + ".dat"));
    write_script(figure, dir_ / (figure.name + ".gp"));
    if (!plots_) return;
    if (!have_gnuplot()) {
        note_missing_gnuplot();
        return;
    }
    run_gnuplot(dir_, figure.name + ".gp");
}

std::string Output::image(const Figure& figure) const {
    plot(figure);
    const std::string base = link_base_.empty() || link_base_ == "." ? "" : link_base_ + "/";
    if (plots_ && have_gnuplot()) {
        return "![" + figure.title + "](" + base + figure.name + ".png)\n\n";
    }
    return "*(" + figure.title + ": not drawn; its data is in " + base + figure.name +
           ".dat and its gnuplot script in " + base + figure.name + ".gp)*\n\n";
}

void Output::summary(const nlohmann::json& summary) const {
    std::ofstream out = open_for_writing(dir_ / "summary.json");
    out << summary.dump(2) << "\n";
}

void Output::report(const Section& section) const {
    std::ofstream out = open_for_writing(dir_ / "README.md");
    out << "# " << section.title << "\n\n" << section.markdown;
}

std::string Output::markdown(const Table& table, int digits) {
    std::string md = "|";
    std::string rule = "|";
    for (const auto& column : table.columns) {
        md.append(" ").append(escape_bars(column)).append(" |");
        rule += " --- |";
    }
    md += "\n" + rule + "\n";
    for (const auto& row : table.rows) {
        md += "|";
        for (const Cell& cell : row) {
            md.append(" ").append(escape_bars(cell_text(cell, digits))).append(" |");
        }
        md += "\n";
    }
    return md + "\n";
}

experiments::Progress progress_on_stderr(double seconds) {
    struct State {
        bool terminal = isatty(fileno(stderr)) != 0;
        std::string stage;
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        std::chrono::steady_clock::time_point last_line;
        bool open_line = false;
    };
    auto state = std::make_shared<State>();
    return {[state, seconds](const std::string& stage, long long done, long long total) {
        const auto now = std::chrono::steady_clock::now();
        const bool new_stage = stage != state->stage;
        if (new_stage) {
            if (state->open_line) std::fputc('\n', stderr);
            state->open_line = false;
            state->stage = stage;
            state->started = now;
        }
        const double elapsed = std::chrono::duration<double>(now - state->started).count();
        const bool finished = total > 0 && done >= total;
        const double since_last = std::chrono::duration<double>(now - state->last_line).count();
        if (state->terminal) {
            if (!new_stage && !finished && since_last < 0.1) return;  // at most 10 redraws a second
            state->last_line = now;
            constexpr int kWidth = 30;
            const int filled = total > 0 ? static_cast<int>(kWidth * std::min(done, total) / total) : 0;
            std::fprintf(stderr, "\r%s [%s%s] %lld/%lld  %s   ", stage.c_str(), std::string(filled, '#').c_str(),
                         std::string(kWidth - filled, '.').c_str(), done, total, format_seconds(elapsed).c_str());
            state->open_line = !finished;
            if (finished) std::fputc('\n', stderr);
        } else if (new_stage || finished || since_last >= seconds) {
            std::fprintf(stderr, "%s: %lld/%lld (%s)\n", stage.c_str(), done, total, format_seconds(elapsed).c_str());
            state->last_line = now;
        }
        std::fflush(stderr);
    }};
}

std::string format_number(double v, int digits) { return number(v, digits); }

std::string format_fixed(double v, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
}

std::string format_list(const std::vector<int>& values) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) text += ", ";
        text += std::to_string(values[i]);
    }
    return text;
}

std::string format_seconds(double seconds) {
    if (seconds < 1e-3) return number(seconds * 1e6, 3) + " us";
    if (seconds < 1) return number(seconds * 1e3, 3) + " ms";
    if (seconds < 120) return number(seconds, 3) + " s";
    return number(seconds / 60, 3) + " min";
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1000 && unit < 4) {
        bytes /= 1000;
        ++unit;
    }
    return number(bytes, 3) + " " + units[unit];
}

}  // namespace hypertape::tools
