// `hypertape memory`: memory, time and accuracy of every hypergradient strategy against full
// reverse mode, swept over T on a built-in problem (experiments/memory.hpp; a user's own problem
// goes through run_memory_sweep directly).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/memory.hpp"

namespace hypertape::tools {
namespace {

using experiments::BuiltinProblem;
using experiments::MemoryRun;
using experiments::MemorySettings;
using experiments::MemorySweep;

struct MemoryJob {
    BuiltinProblem problem;
    MemorySettings sweep;
};

MemoryJob quick_job() { return {BuiltinProblem::quick(), MemorySettings::quick()}; }

// ---- tables ----

Cell bytes(std::size_t b) { return static_cast<long long>(b); }

Table runs_table(const MemorySweep& sweep) {
    Table t{"runs",
            {"T", "strategy", "family", "K", "seconds", "forward_seconds", "backward_seconds", "step_evaluations",
             "tape_peak_bytes", "snapshot_peak_bytes", "tangent_peak_bytes", "peak_bytes", "cosine", "relative_error",
             "outer_loss", "implicit_relative_residual", "skipped"},
            {}};
    for (const MemoryRun& r : sweep.runs) {
        const Cell T = static_cast<long long>(r.steps), K = static_cast<long long>(r.truncation);
        if (!r.skipped.empty()) {  // no numbers rather than the zeros of a Report never filled
            std::vector<Cell> row = {T, r.label, r.family, K};
            row.resize(t.columns.size() - 1, std::string());
            row.push_back(r.skipped);
            t.add(row);
            continue;
        }
        const Report& p = r.report;
        t.add({T, r.label, r.family, K, r.seconds(), p.forward_seconds, p.backward_seconds, p.step_evaluations,
               bytes(p.tape_peak_bytes), bytes(p.snapshot_peak_bytes), bytes(p.tangent_peak_bytes), bytes(p.peak_bytes),
               r.cosine, r.relative_error, r.outer_loss, p.implicit_relative_residual, r.skipped});
    }
    return t;
}

// The rows at one T, for the report: the numbers, or the reason a run was skipped.
Table table_at(const MemorySweep& sweep, int T) {
    Table t{"runs_T" + std::to_string(T),
            {"strategy", "seconds", "step evaluations", "tape peak B", "snapshot peak B", "tangent peak B", "peak B",
             "cosine", "relative error"},
            {}};
    for (const MemoryRun& r : sweep.runs) {
        if (r.steps != T) continue;
        if (!r.skipped.empty()) {
            t.add({r.label, "skipped: " + r.skipped, "", "", "", "", "", "", ""});
            continue;
        }
        const Report& p = r.report;
        t.add({r.label, r.seconds(), p.step_evaluations, bytes(p.tape_peak_bytes), bytes(p.snapshot_peak_bytes),
               bytes(p.tangent_peak_bytes), bytes(p.peak_bytes), r.cosine, r.relative_error});
    }
    return t;
}

// Least-squares slope of log y against log x: the exponent of y ~ x^slope (NaN for fewer than 2 points).
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
    if (x.size() < 2) return std::nan("");
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += std::log(x[i]);
        my += std::log(y[i]);
    }
    mx /= static_cast<double>(x.size());
    my /= static_cast<double>(y.size());
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
        sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
    }
    return sxx > 0 ? sxy / sxx : std::nan("");
}

// The smallest T at which a strategy's scaling law holds: T >= K for Truncated{K} and a window
// of K, T >= c for a uniform interval c (below it, these hold all T steps, as Reverse does), T >= s
// for s binomial slots (below it, fewer slots are used).
int law_holds_from(const Strategy& strategy) {
    if (const auto* t = std::get_if<Truncated>(&strategy)) return t->K;
    if (const auto* c = std::get_if<Checkpointed>(&strategy)) return std::max({c->window, c->interval, c->snapshots});
    return 1;
}

// The smallest peak_bytes of any run at T: what every strategy holds whatever T is (the data the
// tape's records reference, one step's records, the outer loss's).
std::map<int, double> floors(const MemorySweep& sweep) {
    std::map<int, double> floor;
    for (const MemoryRun& r : sweep.runs) {
        if (!r.skipped.empty()) continue;
        const auto peak = static_cast<double>(r.report.peak_bytes);
        const auto [at, fresh] = floor.emplace(r.steps, peak);
        if (!fresh) at->second = std::min(at->second, peak);
    }
    return floor;
}

// Labels in the order of their first row.
std::vector<std::string> labels_in_order(const MemorySweep& sweep) {
    std::vector<std::string> labels;
    for (const MemoryRun& r : sweep.runs) {
        if (std::find(labels.begin(), labels.end(), r.label) == labels.end()) labels.push_back(r.label);
    }
    return labels;
}

// The rows of one label that ran, in T order.
std::vector<const MemoryRun*> runs_of(const MemorySweep& sweep, const std::string& label) {
    std::vector<const MemoryRun*> runs;
    for (const MemoryRun& r : sweep.runs) {
        if (r.label == label && r.skipped.empty()) runs.push_back(&r);
    }
    std::sort(runs.begin(), runs.end(), [](const MemoryRun* a, const MemoryRun* b) { return a->steps < b->steps; });
    return runs;
}

// Shaban et al. Table 1's space column, where it has a row for the strategy.
std::string paper_space(const std::string& family, const std::string& label) {
    if (family == "Reverse") return "O(MT) (RMD)";
    if (family == "Truncated") return "O(MK) (K-RMD)";
    if (family == "Forward") return "O(MN) (FMD)";
    if (label == "Checkpointed::uniform()") return "O(M sqrt T) (checkpointing every sqrt T steps)";
    return "";
}

// Exponent a of the growth (peak - floor) ~ T^a over the T where the strategy's law holds: 0
// when the peak stays on the floor, NaN with fewer than two T to fit (a constant growth fits 0).
double growth_exponent(const std::vector<const MemoryRun*>& runs, const std::map<int, double>& floor) {
    std::vector<double> T, growth;
    bool any = false;
    for (const MemoryRun* r : runs) {
        if (r->steps < law_holds_from(r->strategy)) continue;
        any = true;
        const double above = static_cast<double>(r->report.peak_bytes) - floor.at(r->steps);
        if (above > 0) {
            T.push_back(r->steps);
            growth.push_back(above);
        }
    }
    if (!any) return std::nan("");
    const bool constant = std::adjacent_find(growth.begin(), growth.end(), std::not_equal_to<>()) == growth.end();
    return constant ? 0 : log_log_slope(T, growth);
}

// Per strategy: how its peak bytes and time grow with T, and its share of Reverse's peak at the largest T.
Table scaling_table(const MemorySweep& sweep) {
    Table t{"scaling",
            {"strategy", "(peak - floor) ~ T^a: a", "seconds ~ T^b: b", "peak B at largest T", "peak / Reverse's",
             "Shaban et al. Table 1 space"},
            {}};
    const std::map<int, double> floor = floors(sweep);
    const std::vector<const MemoryRun*> reverse = runs_of(sweep, "Reverse");
    for (const std::string& label : labels_in_order(sweep)) {
        const std::vector<const MemoryRun*> runs = runs_of(sweep, label);
        if (runs.empty()) continue;
        std::vector<double> T, seconds;
        for (const MemoryRun* r : runs) {
            T.push_back(r->steps);
            seconds.push_back(r->seconds());
        }
        const MemoryRun* last = runs.back();
        const MemoryRun* reference = reverse.empty() ? nullptr : reverse.back();
        const double share =
            reference != nullptr && reference->steps == last->steps
                ? static_cast<double>(last->report.peak_bytes) / static_cast<double>(reference->report.peak_bytes)
                : std::nan("");
        t.add({label, growth_exponent(runs, floor), log_log_slope(T, seconds), bytes(last->report.peak_bytes), share,
               paper_space(last->family, label)});
    }
    return t;
}

// ---- figures ----

// One series per strategy: value(run) against T, leaving out values a log axis cannot show.
Figure against_T(const MemorySweep& sweep, const std::string& name, const std::string& title, const std::string& ylabel,
                 const std::function<double(const MemoryRun&)>& value) {
    Figure f{name, title, "inner steps T", ylabel, true, true, {}};
    for (const std::string& label : labels_in_order(sweep)) {
        Series s;
        s.title = label;
        for (const MemoryRun* r : runs_of(sweep, label)) {
            if (!(value(*r) > 0)) continue;
            s.x.push_back(r->steps);
            s.y.push_back(value(*r));
        }
        if (!s.x.empty()) f.series.push_back(s);
    }
    return f;
}

int largest_T(const MemorySweep& sweep) {
    int T = 0;
    for (const MemoryRun& r : sweep.runs) T = std::max(T, r.steps);
    return T;
}

// Relative error against K at the largest T, for Truncated{K} and checkpointing inside a window of K.
Figure bias_figure(const MemorySweep& sweep) {
    const int T = largest_T(sweep);
    Figure f{"bias",
             "bias of h_{T-K} at T = " + std::to_string(T),
             "K (steps back-propagated)",
             "|h - h_{rev}| / |h_{rev}|",
             true,
             true,
             {}};
    std::map<std::string, Series> by_family;
    for (const MemoryRun& r : sweep.runs) {
        // a log axis cannot show 0 (K beyond T, or the same bits as Reverse)
        if (r.steps != T || r.truncation == 0 || !r.skipped.empty() || !(r.relative_error > 0)) continue;
        const std::string title = r.family == "Truncated" ? "Truncated{K}" : r.label;
        Series& s = by_family[title];
        s.title = title;
        s.x.push_back(r.truncation);
        s.y.push_back(r.relative_error);
        if (r.family != "Truncated") s.style = "points";
    }
    for (auto& [title, s] : by_family) f.series.push_back(s);
    return f;
}

// ---- the report ----

const MemoryRun* find(const MemorySweep& sweep, int T, const std::string& label) {
    for (const MemoryRun& r : sweep.runs) {
        if (r.steps == T && r.label == label && r.skipped.empty()) return &r;
    }
    return nullptr;
}

double exponent_of(const Table& scaling, const std::string& label) {
    for (const auto& row : scaling.rows) {
        if (std::get<std::string>(row[0]) == label) return std::get<double>(row[1]);
    }
    return std::nan("");
}

std::string errors_of_truncations(const MemorySweep& sweep, int T) {
    std::string text;
    for (const MemoryRun& r : sweep.runs) {
        if (r.steps != T || r.family != "Truncated" || !r.skipped.empty()) continue;
        char item[96];
        std::snprintf(item, sizeof item, "%s%.3g at K = %d", text.empty() ? "" : ", ", r.relative_error, r.truncation);
        text += item;
    }
    return text;
}

// What the figures show, with this run's numbers.
std::string reading(const MemoryJob& job, const MemorySweep& sweep, const Table& scaling) {
    const int T = largest_T(sweep);
    const std::string at_T = " at T = " + std::to_string(T);
    std::string md =
        "**Reading the figures.** Every strategy holds a floor that does not grow with T (the smallest "
        "peak of the sweep at each T: the data the records reference, one step's records, the outer "
        "loss's; " +
        format_bytes(floors(sweep).at(T)) + at_T +
        "); exponents a are those of the bytes above it. Reverse grows like T^" +
        format_fixed(exponent_of(scaling, "Reverse"), 2) +
        " (Table 1's O(MT)): every step's records stay on the tape. ";
    if (!job.sweep.truncations.empty()) {
        md += "Truncated{K} is flat (a = " +
              format_fixed(exponent_of(scaling, "Truncated{" + std::to_string(job.sweep.truncations.back()) + "}"), 2) +
              " for the largest K; O(MK)): the window releases each step older than the newest K as it ends, so "
              "its bytes are the same at every T >= K. ";
    }
    if (const MemoryRun* c = find(sweep, T, "Checkpointed::uniform()")) {
        md += "Checkpointing every ceil(sqrt T) steps grows like T^" +
              format_fixed(exponent_of(scaling, "Checkpointed::uniform()"), 2) + " (Table 1's O(M sqrt T)) for " +
              format_fixed(static_cast<double>(c->report.step_evaluations) / T, 2) + " step evaluations per step" +
              at_T + ", and its hypergradient " +
              (c->relative_error == 0
                   ? std::string("equals Reverse's bit for bit")
                   : "differs from Reverse's by " + format_fixed(c->relative_error, 17) + " relative") +
              " (its curve is not smooth: the peak tape is that of a full segment of ceil(sqrt T) steps or of the "
              "last, shorter one, which also holds the outer loss's records, whichever is larger at that T); binomial "
              "checkpointing with s slots holds s snapshots and one step's tape (flat) and pays in "
              "recomputations (step evaluations in the tables). ";
    }
    const MemoryRun* forward = find(sweep, T, "Forward");
    if (forward != nullptr && sweep.state_bytes > 0) {
        md += "Forward's tangents take " + std::to_string(forward->report.tangent_peak_bytes) + " B" + at_T + ", " +
              format_fixed(
                  static_cast<double>(forward->report.tangent_peak_bytes) / static_cast<double>(sweep.state_bytes), 1) +
              " times the state's " + std::to_string(sweep.state_bytes) +
              " B for N = " + std::to_string(sweep.lambda_entries) +
              " (Table 1's O(MN): one tangent of the state per "
              "hyperparameter), at every T. ";
    } else {
        md += "Forward did not run: lambda has N = " + std::to_string(sweep.lambda_entries) +
              " entries, and its tangents would take N times the state (O(MN)); --forward-limit sets the limit. ";
    }
    md +=
        "Implicit differentiation holds one step's records at w_T (the floor); its error depends on how close "
        "w_T is to the fixed point, not on memory. Time grows about linearly in T at large T (every "
        "strategy runs the T inner steps at least once); at small T the costs that do not grow with T (a window's "
        "sweep over K steps, Implicit's k iterations, fixed overheads) weigh, so a fitted b can be well below 1, "
        "and each timing is a single run. Binomial checkpointing with few slots grows "
        "faster: its "
        "step evaluations grow like T^(1 + 1/s) for s slots. The bias plot: Truncated{K}'s relative error" +
        at_T + " is " + errors_of_truncations(sweep, T) +
        ", falling with K as Prop. 3.1's (1 - gamma alpha)^K bound predicts for a strongly convex inner "
        "problem; checkpointing inside a window of K computes the same h_{T-K}.\n\n";
    return md;
}

nlohmann::json summary_json(const MemoryJob& job, const experiments::SweepProblem& problem, const MemorySweep& sweep,
                            const Table& scaling) {
    nlohmann::json s;
    s["problem"] = {{"name", job.problem.name},
                    {"description", problem.description},
                    {"train", job.problem.train},
                    {"validation", job.problem.validation},
                    {"features", job.problem.features},
                    {"seed", job.problem.seed},
                    {"lambda_entries", sweep.lambda_entries},
                    {"state_bytes", sweep.state_bytes}};
    s["settings"] = {{"steps", job.sweep.steps},
                     {"truncations", job.sweep.truncations},
                     {"intervals", job.sweep.intervals},
                     {"budgets", job.sweep.budgets},
                     {"windows", job.sweep.windows},
                     {"forward_limit", job.sweep.forward_limit},
                     {"implicit_iterations", job.sweep.implicit_iterations}};
    nlohmann::json slopes = nlohmann::json::object();
    for (const auto& row : scaling.rows) {
        slopes[std::get<std::string>(row[0])] = {{"growth_exponent", std::get<double>(row[1])},
                                                 {"seconds_exponent", std::get<double>(row[2])},
                                                 {"peak_share_of_reverse", std::get<double>(row[4])}};
    }
    s["scaling"] = slopes;
    const int T = largest_T(sweep);
    nlohmann::json at_largest = nlohmann::json::object();
    for (const MemoryRun& r : sweep.runs) {
        if (r.steps != T || !r.skipped.empty()) continue;
        at_largest[r.label] = {{"peak_bytes", r.report.peak_bytes},
                               {"seconds", r.seconds()},
                               {"step_evaluations", r.report.step_evaluations},
                               {"relative_error", r.relative_error}};
    }
    s["largest_T"] = T;
    s["at_largest_T"] = at_largest;
    return s;
}

void print_summary(const experiments::SweepProblem& problem, const MemorySweep& sweep, const Output& out) {
    const int T = largest_T(sweep);
    std::printf("memory: %s\nN = %lld hyperparameters; at T = %d:\n", problem.description.c_str(),
                static_cast<long long>(sweep.lambda_entries), T);
    for (const MemoryRun& r : sweep.runs) {
        if (r.steps != T || !r.skipped.empty()) continue;
        std::printf("  %-32s %10s peak  %9s  error %.2e\n", r.label.c_str(),
                    format_bytes(static_cast<double>(r.report.peak_bytes)).c_str(), format_seconds(r.seconds()).c_str(),
                    r.relative_error);
    }
    std::printf("results in %s\n", out.dir().c_str());
}

Section memory_section(const MemoryJob& job, const Output& out) {
    const experiments::SweepProblem problem = experiments::builtin_sweep_problem(job.problem);
    const MemorySweep sweep =
        experiments::run_memory_sweep(problem.make, problem.lambda, job.sweep, progress_on_stderr());

    out.write(runs_table(sweep));
    const Table scaling = scaling_table(sweep);
    out.write(scaling);
    out.summary(summary_json(job, problem, sweep, scaling));

    std::string md =
        "Memory, time and accuracy of every hypergradient strategy against full reverse mode (RMD), for T = " +
        format_list(job.sweep.steps) + ". Problem: " + problem.description +
        ". N = " + std::to_string(sweep.lambda_entries) + " hyperparameters; one state w_T takes " +
        std::to_string(sweep.state_bytes) +
        " B. Every byte figure is the library's `Report` (`tape_peak_bytes`, `snapshot_peak_bytes`, "
        "`tangent_peak_bytes`, and `peak_bytes`, their largest sum at one moment) from its exact counters; seconds "
        "are forward + backward wall time; cosine and relative error compare each hypergradient with Reverse's at "
        "the same T. Strategies: Truncated{K} for K = " +
        format_list(job.sweep.truncations) + "; Checkpointed::uniform(c) for c = " + format_list(job.sweep.intervals) +
        " (c = 0: ceil(sqrt T)); Checkpointed::binomial(s) for s = " + format_list(job.sweep.budgets) +
        "; checkpointing inside a window of K = " + format_list(job.sweep.windows) +
        "; Forward when N <= " + std::to_string(job.sweep.forward_limit) +
        "; Implicit::cg(k) and fixed_point(k) for k = " + format_list(job.sweep.implicit_iterations) +
        " (cg_normal(k) where cg's symmetry check fails). There is no published table for this benchmark; the "
        "scaling table sets the measured exponents beside the space column of Shaban et al. (2019) Table 1.\n\n";
    const std::map<int, double> floor = floors(sweep);
    const auto peak = [](const MemoryRun& r) { return static_cast<double>(r.report.peak_bytes); };
    const auto growth = [&](const MemoryRun& r) { return peak(r) - floor.at(r.steps); };
    md += out.image(against_T(sweep, "peak_bytes", "peak bytes against T", "peak bytes (Report::peak_bytes)", peak));
    md += out.image(against_T(sweep, "growth", "peak bytes above the floor against T",
                              "peak bytes - the smallest peak at the same T", growth));
    md += out.image(against_T(sweep, "seconds", "time against T", "seconds (forward + backward)",
                              [](const MemoryRun& r) { return r.seconds(); }));
    md += out.image(bias_figure(sweep));
    md += reading(job, sweep, scaling);
    md +=
        "Exponents fitted by least squares in log T (`scaling.csv`), over the T at which each law holds (T >= K "
        "for Truncated{K} and a window of K, T >= c for an interval c, T >= s for s binomial slots); a is that of "
        "the growth plot's bytes above the floor:\n\n" +
        Output::markdown(scaling, 3);
    for (int T : job.sweep.steps) {
        const Table at = table_at(sweep, T);
        out.write(at);
        md += "T = " + std::to_string(T) + ":\n\n" + Output::markdown(at, 4);
    }
    print_summary(problem, sweep, out);
    return {"Memory against full reverse mode (`hypertape memory`)", md};
}

}  // namespace

void add_memory_command(CLI::App& app) {
    auto given = std::make_shared<MemoryJob>();
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "memory",
        "benchmark every hypergradient strategy against full reverse mode: peak bytes, time and error over T "
        "(--quick: hypercleaning on 500 + 500 images, T = 10, 30, 100, 300, about a minute; explicit options "
        "refine it)");
    add_common_options(*sub, *common);
    BuiltinProblem& p = given->problem;
    MemorySettings& s = given->sweep;
    CLI::Option* problem = sub->add_option("--problem", p.name, "the built-in problem: hypercleaning, quadratic or toy")
                               ->check(CLI::IsMember({"hypercleaning", "quadratic", "toy"}))
                               ->capture_default_str();
    CLI::Option* train = sub->add_option("--train", p.train, "training examples (hypercleaning: a multiple of 10)")
                             ->capture_default_str();
    CLI::Option* validation =
        sub->add_option("--validation", p.validation, "validation examples")->capture_default_str();
    CLI::Option* features =
        sub->add_option("--features", p.features, "quadratic: features (lambda's entries)")->capture_default_str();
    CLI::Option* step_size = sub->add_option("--step-size", p.step_size, "inner step size (0: the problem's default)")
                                 ->capture_default_str();
    CLI::Option* data = sub->add_option("--data", p.data_dir, "Fashion-MNIST's folder (default: the Debian package's)");
    CLI::Option* seed = sub->add_option("--seed", p.seed, "the data's random draw")->capture_default_str();
    CLI::Option* steps = sub->add_option("--steps", s.steps, "the T values")->delimiter(',')->capture_default_str();
    CLI::Option* truncations =
        sub->add_option("--truncations", s.truncations, "K of Truncated{K}")->delimiter(',')->capture_default_str();
    CLI::Option* intervals =
        sub->add_option("--intervals", s.intervals, "c of Checkpointed::uniform(c); 0: ceil(sqrt T)")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* budgets = sub->add_option("--budgets", s.budgets, "snapshot slots s of Checkpointed::binomial(s)")
                               ->delimiter(',')
                               ->capture_default_str();
    CLI::Option* windows =
        sub->add_option("--windows", s.windows, "K of Checkpointed::uniform(0, K) and binomial(budgets[0], K)")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* forward_limit = sub->add_option("--forward-limit", s.forward_limit,
                                                 "run Forward only when lambda has at most this many entries")
                                     ->capture_default_str();
    CLI::Option* implicit =
        sub->add_option("--implicit-iterations", s.implicit_iterations, "k of Implicit::cg(k) and fixed_point(k)")
            ->delimiter(',')
            ->capture_default_str();
    sub->callback([=] {
        MemoryJob job = common->quick ? quick_job() : MemoryJob{};
        take_if_given(problem, job.problem.name, given->problem.name);
        take_if_given(train, job.problem.train, given->problem.train);
        take_if_given(validation, job.problem.validation, given->problem.validation);
        take_if_given(features, job.problem.features, given->problem.features);
        take_if_given(step_size, job.problem.step_size, given->problem.step_size);
        take_if_given(data, job.problem.data_dir, given->problem.data_dir);
        take_if_given(seed, job.problem.seed, given->problem.seed);
        take_if_given(steps, job.sweep.steps, given->sweep.steps);
        take_if_given(truncations, job.sweep.truncations, given->sweep.truncations);
        take_if_given(intervals, job.sweep.intervals, given->sweep.intervals);
        take_if_given(budgets, job.sweep.budgets, given->sweep.budgets);
        take_if_given(windows, job.sweep.windows, given->sweep.windows);
        take_if_given(forward_limit, job.sweep.forward_limit, given->sweep.forward_limit);
        take_if_given(implicit, job.sweep.implicit_iterations, given->sweep.implicit_iterations);
        const Output out = output_for(*common, "memory");
        out.report(memory_section(job, out));
    });
}

// Hypercleaning has 500 hyperparameters, too many for Forward's one tangent per entry; the same
// sweep on the 50-feature quadratic problem shows Forward's O(MN) beside the others.
Section memory_quick_section(const Output& out) {
    Section section = memory_section(quick_job(), out);
    MemoryJob quadratic = quick_job();
    quadratic.problem.name = "quadratic";
    const Section forward = memory_section(quadratic, out.sub("quadratic"));
    section.markdown += "### The same sweep where Forward runs: `hypertape memory --quick --problem quadratic`\n\n";
    section.markdown += forward.markdown;
    return section;
}

}  // namespace hypertape::tools
