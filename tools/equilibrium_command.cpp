// `hypertape equilibrium`: Grazzi et al. (2020) Sec. 3.2 "Equilibrium Models" and Fig. 2: ITD, FP and
// CG-normal hypergradients for a tanh equilibrium model on Fashion-MNIST, with and without the
// projection of A's singular values (experiments/equilibrium.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/equilibrium.hpp"

namespace hypertape::tools {
namespace {

using experiments::EquilibriumCurve;
using experiments::EquilibriumMethod;
using experiments::EquilibriumResult;
using experiments::EquilibriumSettings;
using experiments::EquilibriumSweepPoint;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- output objects, filled field by field ----

Series named_series(const std::string& title, const char* style) {
    Series s;
    s.title = title;
    s.style = style;
    return s;
}

Figure figure(const std::string& name, const std::string& title, const std::string& xlabel, const std::string& ylabel,
              bool logx, bool logy) {
    Figure f;
    f.name = name;
    f.title = title;
    f.xlabel = xlabel;
    f.ylabel = ylabel;
    f.logx = logx;
    f.logy = logy;
    return f;
}

Table table(const std::string& name, std::vector<std::string> columns) {
    Table t;
    t.name = name;
    t.columns = std::move(columns);
    return t;
}

// ---- statistics over seeds ----

struct Stats {
    double mean = kNaN, low = kNaN, high = kNaN;
    int count = 0;  // finite values
};

Stats stats(const std::vector<double>& values) {
    Stats s;
    double sum = 0;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        sum += v;
        s.low = s.count == 0 ? v : std::min(s.low, v);
        s.high = s.count == 0 ? v : std::max(s.high, v);
        ++s.count;
    }
    if (s.count > 0) s.mean = sum / s.count;
    return s;
}

// Column tau of a [seed][tau] table.
std::vector<double> column(const std::vector<std::vector<double>>& table, std::size_t tau) {
    std::vector<double> values;
    for (const auto& row : table) values.push_back(row[tau]);
    return values;
}

// The last iteration's value of each seed that did not diverge.
std::vector<double> last_values(const std::vector<std::vector<double>>& table) {
    return table.empty() || table.front().empty() ? std::vector<double>{} : column(table, table.front().size() - 1);
}

int diverged_seeds(const EquilibriumCurve& c) {
    return static_cast<int>(std::count_if(c.diverged_at.begin(), c.diverged_at.end(), [](int t) { return t >= 0; }));
}

double largest(const std::vector<std::vector<double>>& table) {
    double m = kNaN;
    for (const auto& row : table) {
        for (double v : row) {
            if (std::isfinite(v)) m = std::isfinite(m) ? std::max(m, v) : v;
        }
    }
    return m;
}

// Mean and min-max band over seeds, against the outer iteration.
Series band(const std::string& title, const std::vector<std::vector<double>>& table) {
    Series s = named_series(title, "lines");
    const std::size_t n = table.empty() ? 0 : table.front().size();
    for (std::size_t tau = 0; tau < n; ++tau) {
        const Stats st = stats(column(table, tau));
        s.x.push_back(static_cast<double>(tau));
        s.y.push_back(st.mean);
        s.low.push_back(st.low);
        s.high.push_back(st.high);
    }
    return s;
}

// ---- figures ----

Figure against_iteration(const EquilibriumResult& r, const std::string& name, const std::string& title,
                         const std::string& ylabel, bool logy,
                         const std::vector<std::vector<double>> EquilibriumCurve::*field) {
    Figure f = figure(name, title, "outer iteration", ylabel, false, logy);
    for (const EquilibriumCurve& c : r.curves) f.series.push_back(band(c.variant.name(), c.*field));
    return f;
}

// Fig. 2 left: the objective against the hypergradients' cumulative seconds (mean over seeds).
Figure objective_against_time(const EquilibriumResult& r) {
    Figure f = figure("objective_time", "training objective against time (Fig. 2 left)",
                      "seconds (hypergradients, cumulative)", "training objective f_t", false, true);
    for (const EquilibriumCurve& c : r.curves) {
        Series s = named_series(c.variant.name(), "lines");
        for (std::size_t tau = 0; tau < c.objective.front().size(); ++tau) {
            s.x.push_back(stats(column(c.seconds, tau)).mean);
            s.y.push_back(stats(column(c.objective, tau)).mean);
        }
        f.series.push_back(s);
    }
    return f;
}

// Fig. 2 right: final test accuracy against the learning rate.
Figure sweep_figure(const EquilibriumResult& r) {
    Figure f = figure("accuracy_learning_rate", "test accuracy vs learning rate (Fig. 2 right)", "learning rate",
                      "test accuracy after the last iteration", true, false);
    for (std::size_t v = 0; v < r.curves.size(); ++v) {
        Series s = named_series(r.curves[v].variant.name(), "linespoints");
        for (const auto& point : r.sweep) {
            const Stats st = stats(point.curves[v].final_test_accuracy);
            s.x.push_back(point.learning_rate);
            s.y.push_back(st.mean);
            s.low.push_back(st.low);
            s.high.push_back(st.high);
        }
        f.series.push_back(s);
    }
    return f;
}

// ---- tables ----

Table curves_table(const EquilibriumResult& r, const EquilibriumSettings& s) {
    Table t = table("curves", {"variant", "learning_rate", "seed", "iteration", "objective", "test_accuracy",
                               "hypergradient_norm", "spectral_norm_A", "cumulative_seconds"});
    const auto add_curves = [&](double rate, const std::vector<EquilibriumCurve>& curves) {
        for (const EquilibriumCurve& c : curves) {
            for (std::size_t seed = 0; seed < c.objective.size(); ++seed) {
                for (std::size_t tau = 0; tau < c.objective[seed].size(); ++tau) {
                    t.add({c.variant.name(), rate, static_cast<long long>(seed), static_cast<long long>(tau),
                           c.objective[seed][tau], c.test_accuracy[seed][tau], c.hypergradient_norm[seed][tau],
                           c.spectral_norm[seed][tau], c.seconds[seed][tau]});
                }
            }
        }
    };
    add_curves(s.learning_rate, r.curves);
    for (const auto& point : r.sweep) {
        if (point.learning_rate != s.learning_rate) add_curves(point.learning_rate, point.curves);
    }
    return t;
}

std::string range(const Stats& st, int digits) {
    if (st.count == 0) return "diverged";
    char text[96];
    std::snprintf(text, sizeof text, "%.*f [%.*f, %.*f]", digits, st.mean, digits, st.low, digits, st.high);
    return text;
}

Table methods_table(const EquilibriumResult& r) {
    Table t = table("methods", {"variant", "median seconds / hypergradient", "peak bytes",
                                "final objective mean [min, max]", "final test accuracy mean [min, max]", "last |g|",
                                "largest |A|_2", "AID median relative residual", "diverged seeds", "wall seconds"});
    for (const EquilibriumCurve& c : r.curves) {
        t.add({c.variant.name(), c.seconds_per_iteration, static_cast<long long>(c.peak_bytes),
               range(stats(last_values(c.objective)), 4), range(stats(c.final_test_accuracy), 3),
               stats(last_values(c.hypergradient_norm)).mean, largest(c.spectral_norm), c.implicit_residual,
               static_cast<long long>(diverged_seeds(c)), c.wall_seconds});
    }
    return t;
}

Table sweep_table(const EquilibriumResult& r) {
    Table t = table("sweep", {"variant", "learning rate", "final test accuracy mean", "min", "max",
                              "final objective mean", "largest |A|_2", "diverged seeds"});
    for (std::size_t v = 0; v < r.curves.size(); ++v) {
        for (const auto& point : r.sweep) {
            const EquilibriumCurve& c = point.curves[v];
            const Stats acc = stats(c.final_test_accuracy);
            t.add({c.variant.name(), point.learning_rate, acc.mean, acc.low, acc.high,
                   stats(last_values(c.objective)).mean, largest(c.spectral_norm),
                   static_cast<long long>(diverged_seeds(c))});
        }
    }
    return t;
}

// ---- the report ----

const EquilibriumCurve* find(const std::vector<EquilibriumCurve>& curves, EquilibriumMethod method, bool projected) {
    for (const EquilibriumCurve& c : curves) {
        if (c.variant.method == method && c.variant.projected == projected) return &c;
    }
    return nullptr;
}

// The largest relative gap between two variants' mean objectives over the iterations.
double largest_gap(const EquilibriumCurve& a, const EquilibriumCurve& b) {
    double gap = 0;
    for (std::size_t tau = 0; tau < a.objective.front().size(); ++tau) {
        const double x = stats(column(a.objective, tau)).mean, y = stats(column(b.objective, tau)).mean;
        if (std::isfinite(x) && std::isfinite(y)) gap = std::max(gap, std::abs(x - y) / std::abs(y));
    }
    return gap;
}

std::string overlap_finding(const EquilibriumResult& r) {
    const EquilibriumCurve* itd = find(r.curves, EquilibriumMethod::itd, true);
    if (itd == nullptr) return "";
    std::string md;
    for (EquilibriumMethod m : {EquilibriumMethod::fixed_point, EquilibriumMethod::cg_normal}) {
        const EquilibriumCurve* c = find(r.curves, m, true);
        if (c == nullptr) continue;
        md += std::string(md.empty() ? "" : ", ") + c->variant.name() + " " + format_number(largest_gap(*c, *itd));
    }
    if (md.empty()) return "";
    double worst = 0;
    for (EquilibriumMethod m : {EquilibriumMethod::fixed_point, EquilibriumMethod::cg_normal}) {
        if (const EquilibriumCurve* c = find(r.curves, m, true)) worst = std::max(worst, largest_gap(*c, *itd));
    }
    return "(1) With the projection, the largest relative gap between a method's mean training objective and "
           "ITD's over the iterations is: " +
           md +
           (worst < 0.01 ? ": the curves overlap, as the paper finds. "
                         : ": they differ by more than 1%, unlike the paper. ");
}

std::string cost_finding(const EquilibriumResult& r) {
    const EquilibriumCurve* itd = find(r.curves, EquilibriumMethod::itd, true);
    const EquilibriumCurve* fp = find(r.curves, EquilibriumMethod::fixed_point, true);
    const EquilibriumCurve* cg = find(r.curves, EquilibriumMethod::cg_normal, true);
    std::string md;
    if (fp != nullptr && cg != nullptr) {
        md += "(2) Median time per hypergradient: FP " + format_seconds(fp->seconds_per_iteration) + ", CG-normal " +
              format_seconds(cg->seconds_per_iteration) +
              (itd != nullptr ? ", ITD " + format_seconds(itd->seconds_per_iteration) : std::string()) +
              " (CG-normal pays a VJP and a JVP per iteration, FP one VJP): FP is " +
              (fp->seconds_per_iteration < cg->seconds_per_iteration ? "faster than CG, as the paper finds"
                                                                     : "not faster than CG here, unlike the paper") +
              ". ";
    }
    if (fp != nullptr && itd != nullptr) {
        md += "ITD's peak is " + format_bytes(static_cast<double>(itd->peak_bytes)) + " against FP's " +
              format_bytes(static_cast<double>(fp->peak_bytes)) + " (" +
              format_fixed(
                  static_cast<double>(itd->peak_bytes) / static_cast<double>(std::max<std::size_t>(fp->peak_bytes, 1)),
                  1) +
              " times): ITD keeps all t steps on the tape, AID one step" +
              (itd->peak_bytes > fp->peak_bytes ? ", so FP needs less memory than ITD, as the paper finds. " : ". ");
    }
    return md;
}

// The worst mean final test accuracy over the sweep of a variant (NaN when every run diverged).
double worst_accuracy(const EquilibriumResult& r, EquilibriumMethod method, bool projected) {
    double worst = kNaN;
    for (const auto& point : r.sweep) {
        const EquilibriumCurve* c = find(point.curves, method, projected);
        if (c == nullptr) return kNaN;
        const double mean = stats(c->final_test_accuracy).mean;
        const double value = std::isfinite(mean) ? mean : 0.0;  // every seed diverged: the worst there is
        if (!std::isfinite(worst) || value < worst) worst = value;
    }
    return worst;
}

// Does AID without the projection fare worse than ITD without it (the paper's point)?
std::string instability_verdict(const EquilibriumResult& r) {
    const double itd = worst_accuracy(r, EquilibriumMethod::itd, false);
    const double fp = worst_accuracy(r, EquilibriumMethod::fixed_point, false);
    const double cg = worst_accuracy(r, EquilibriumMethod::cg_normal, false);
    if (!std::isfinite(itd) || (!std::isfinite(fp) && !std::isfinite(cg))) return "";
    const double aid = std::isfinite(fp) && std::isfinite(cg) ? std::min(fp, cg) : std::isfinite(fp) ? fp : cg;
    return aid < itd ? "At its worst learning rate unprojected AID ends below unprojected ITD, as the paper finds "
                       "(ITD suffers less). "
                     : "Unprojected AID does not end below unprojected ITD at its worst learning rate, unlike the "
                       "paper. ";
}

// Per unprojected variant: its worst mean final test accuracy over the sweep, beside its projected
// counterpart's at the same learning rate, the spread over seeds there, the diverged runs and how
// far A's spectral norm went.
std::string instability_finding(const EquilibriumResult& r) {
    if (r.sweep.empty()) return "";
    std::string md;
    for (std::size_t v = 0; v < r.curves.size(); ++v) {
        const auto& variant = r.curves[v].variant;
        if (variant.projected) continue;
        const auto partner = std::find_if(r.curves.begin(), r.curves.end(), [&](const EquilibriumCurve& c) {
            return c.variant.method == variant.method && c.variant.projected;
        });
        const std::size_t p = static_cast<std::size_t>(partner - r.curves.begin());
        Stats worst;
        double worst_rate = kNaN, largest_A = kNaN;
        int diverged = 0, runs = 0;
        const EquilibriumSweepPoint* worst_point = nullptr;
        for (const auto& point : r.sweep) {
            const EquilibriumCurve& c = point.curves[v];
            const Stats acc = stats(c.final_test_accuracy);
            if (acc.count > 0 && (worst.count == 0 || acc.mean < worst.mean)) {
                worst = acc;
                worst_rate = point.learning_rate;
                worst_point = &point;
            }
            diverged += diverged_seeds(c);
            runs += static_cast<int>(c.diverged_at.size());
            const double a = largest(c.spectral_norm);
            if (std::isfinite(a)) largest_A = std::isfinite(largest_A) ? std::max(largest_A, a) : a;
        }
        md += std::string(md.empty() ? "" : "; ") + variant.name() + ": ";
        if (worst.count > 0) {
            md += "worst at learning rate " + format_number(worst_rate) + " with " + range(worst, 3);
            if (p < r.curves.size() && worst_point != nullptr) {
                md += " (" + r.curves[p].variant.name() +
                      " there: " + range(stats(worst_point->curves[p].final_test_accuracy), 3) + ")";
            }
            md += ", ";
        }
        md += std::to_string(diverged) + " of " + std::to_string(runs) + " runs diverged, |A|_2 up to " +
              format_number(largest_A);
    }
    if (md.empty()) return "";
    return "(3) Without the projection, over the learning-rate sweep (final test accuracy, mean [min, max] over "
           "seeds): " +
           md + ". " + instability_verdict(r);
}

// Regularisation: the final test accuracy with and without the projection at the curves' learning rate.
std::string regularization_finding(const EquilibriumResult& r) {
    std::string md;
    double gain = 0;
    int pairs = 0;
    for (const EquilibriumCurve& c : r.curves) {
        if (c.variant.projected) continue;
        const EquilibriumCurve* projected = find(r.curves, c.variant.method, true);
        if (projected == nullptr) continue;
        const double with = stats(projected->final_test_accuracy).mean, without = stats(c.final_test_accuracy).mean;
        md += std::string(md.empty() ? "" : ", ") + projected->variant.name() + " " + format_fixed(with, 3) + " vs " +
              c.variant.name() + " " + format_fixed(without, 3);
        if (std::isfinite(with) && std::isfinite(without)) {
            gain += with - without;
            ++pairs;
        }
    }
    if (md.empty()) return "";
    gain = pairs > 0 ? gain / pairs : kNaN;
    const std::string verdict =
        !std::isfinite(gain) ? ""
        : gain > 0.01        ? ": the projection helps, in line with the paper's remark that it regularises"
        : gain < -0.01       ? ": the projection hurts, unlike the paper's remark that it regularises"
                             : ": no difference beyond 0.01 here, where the paper sees the projection regularise";
    return "(4) Final test accuracy with vs without the projection at the curves' learning rate: " + md + verdict +
           ". ";
}

// One line per diverged seed, at every learning rate.
std::string divergence_notes(const EquilibriumSettings& s, const EquilibriumResult& r) {
    std::string md;
    const auto note = [&](double rate, const std::vector<EquilibriumCurve>& curves) {
        for (const EquilibriumCurve& c : curves) {
            for (std::size_t seed = 0; seed < c.diverged_at.size(); ++seed) {
                if (c.diverged_at[seed] < 0) continue;
                md += "- " + c.variant.name() + ", learning rate " + format_number(rate) + ", seed " +
                      std::to_string(seed) + ": diverged at iteration " + std::to_string(c.diverged_at[seed]) + ": " +
                      c.divergence[seed] + "\n";
            }
        }
    };
    note(s.learning_rate, r.curves);
    for (const auto& point : r.sweep) {
        if (point.learning_rate != s.learning_rate) note(point.learning_rate, point.curves);
    }
    return md.empty() ? "" : "Diverged runs:\n\n" + md + "\n";
}

std::string paper_block() {
    return "**The paper's findings (Grazzi et al. 2020, Sec. 3.2 and Fig. 2; MNIST, 5000 images, h = 200, t = k = "
           "20, Nesterov momentum, mean and min-max over 5 seeds of lambda's initialisation).** The text gives no "
           "numbers for this experiment, only the figure and these statements: (1) \"When performing projection, "
           "the curves produced by the three approximation schemes mostly overlap, indicating essentially the same "
           "performance (although at a different computational cost)\"; (2) with the projection \"all the "
           "approximation methods are successful and stable, with FP to be preferred being faster then CG on the "
           "normal equations and requiring substantially less memory than ITD\"; (3) \"not constraining the "
           "spectral norm results in unstable behaviour of the memory-less AID methods [...] for all but a few "
           "learning rates, while ITD, as expected, suffers comparatively less\" (Fig. 2 right, learning rates "
           "10^-3 to 10^0); (4) \"projecting onto the spectral ball acts as powerful regularizer\" (Fig. 2 left "
           "and center-left).\n\n";
}

std::string setup_block(const EquilibriumSettings& s, const EquilibriumResult& r) {
    std::string rates;
    for (double x : s.sweep_learning_rates) rates += std::string(rates.empty() ? "" : ", ") + format_number(x);
    std::string variants;
    for (const auto& v : s.variants) variants += std::string(variants.empty() ? "" : ", ") + v.name();
    return "Equilibrium model phi_i(w_i, gamma) = tanh(A w_i + B x_i + c) with gamma = (A [h, h], B [h, 784], "
           "c [h]); the representations w_i are approximated by t fixed-point iterations from 0, all " +
           std::to_string(r.train_images) +
           " training images at once (W [n, h], one step = two matrix products). "
           "A multinomial logistic classifier theta = (V [10, h], b [10]) reads them; the training objective is "
           "its mean cross-entropy f_t(lambda) over the training images (the paper writes a sum; a mean only "
           "rescales the learning rate). **Outer variables:** lambda = (gamma, theta) = {A, B, c, V, b}, all "
           "trained by Nesterov momentum (v <- mu v + g, lambda <- lambda - eta (g + mu v), as PyTorch's "
           "SGD(nesterov=True); the library's optimize() offers HyperSGD and HyperAdam only, so the outer loop is "
           "experiments/equilibrium.cpp's) on the estimated hypergradient g(lambda): ITD = Reverse{} through the "
           "t iterations (the exact gradient of f_t), FP = Implicit::fixed_point(k), CG = Implicit::cg_normal(k) "
           "(d_w Phi is not symmetric, so CG runs on the normal equations), both at w_t. Variants marked * run "
           "without the projection; the others project A's singular values onto [0, 1 - epsilon] (LAPACK dgesvd) "
           "after every outer step.\n\n"
           "**Data: Fashion-MNIST in place of the paper's MNIST** (Debian ships Fashion-MNIST; it is harder, so "
           "accuracies are lower than MNIST's). Sizes: " +
           std::to_string(r.train_images) + " class-balanced training images (paper: 5000), " +
           std::to_string(r.test_images) + " test images, h = " + std::to_string(s.hidden) +
           " (paper: 200), t = " + std::to_string(s.t) + ", k = " + std::to_string(s.k) + " (paper: 20 and 20), " +
           std::to_string(s.iterations) + " outer iterations (paper's axis: 50), " + std::to_string(s.seeds) +
           " seeds of lambda's initialisation (paper: 5), learning rate " + format_number(s.learning_rate) +
           ", momentum " + format_number(s.momentum) + ", epsilon = " + format_number(s.epsilon) +
           " (the paper does not state its learning rate or epsilon), A_0 Gaussian with spectral norm about " +
           format_number(s.init_spectral) +
           " (inside the ball; all variants start from the same lambda_0 of a seed), " +
           (s.dtype == f64 ? "float64" : "float32") + ". Variants: " + variants +
           ". Learning-rate sweep (Fig. 2 right): " + (rates.empty() ? std::string("none") : rates) +
           ". Curves: mean over seeds, shaded min-max; a seed that diverges (NaN/Inf, or a solver error) is left "
           "out from that iteration on and counted in the tables. Seconds are the hypergradients' forward + "
           "backward wall time (test evaluations excluded), bytes the library's exact Report::peak_bytes.\n\n";
}

nlohmann::json summary_json(const EquilibriumSettings& s, const EquilibriumResult& r) {
    nlohmann::json j;
    std::vector<std::string> variants;
    for (const auto& v : s.variants) variants.push_back(v.name());
    j["settings"] = {{"train_images", r.train_images},
                     {"test_images", r.test_images},
                     {"hidden", s.hidden},
                     {"t", s.t},
                     {"k", s.k},
                     {"iterations", s.iterations},
                     {"seeds", s.seeds},
                     {"learning_rate", s.learning_rate},
                     {"momentum", s.momentum},
                     {"epsilon", s.epsilon},
                     {"init_spectral", s.init_spectral},
                     {"sweep_learning_rates", s.sweep_learning_rates},
                     {"variants", variants},
                     {"dtype", s.dtype == f64 ? "float64" : "float32"},
                     {"data_seed", s.data_seed},
                     {"data", "Fashion-MNIST (paper: MNIST)"}};
    nlohmann::json methods = nlohmann::json::object();
    for (const EquilibriumCurve& c : r.curves) {
        const auto finite_or_null = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
        methods[c.variant.name()] = {{"seconds_per_hypergradient", finite_or_null(c.seconds_per_iteration)},
                                     {"peak_bytes", c.peak_bytes},
                                     {"final_objective_mean", finite_or_null(stats(last_values(c.objective)).mean)},
                                     {"final_test_accuracy_mean", finite_or_null(stats(c.final_test_accuracy).mean)},
                                     {"largest_spectral_norm_A", finite_or_null(largest(c.spectral_norm))},
                                     {"implicit_relative_residual", finite_or_null(c.implicit_residual)},
                                     {"diverged_seeds", diverged_seeds(c)},
                                     {"wall_seconds", c.wall_seconds}};
    }
    j["methods"] = methods;
    return j;
}

void print_summary(const EquilibriumResult& r, const Output& out) {
    std::printf("equilibrium: %lld training images, %lld test images\n", static_cast<long long>(r.train_images),
                static_cast<long long>(r.test_images));
    for (const EquilibriumCurve& c : r.curves) {
        std::printf("  %-5s objective %-8s test accuracy %-6s %10s/hypergradient  peak %9s  diverged %d\n",
                    c.variant.name().c_str(), format_number(stats(last_values(c.objective)).mean).c_str(),
                    format_fixed(stats(c.final_test_accuracy).mean, 3).c_str(),
                    format_seconds(c.seconds_per_iteration).c_str(),
                    format_bytes(static_cast<double>(c.peak_bytes)).c_str(), diverged_seeds(c));
    }
    std::printf("results in %s\n", out.dir().c_str());
}

Section equilibrium_section(const EquilibriumSettings& s, const Output& out) {
    const EquilibriumResult r = experiments::run_equilibrium(s, progress_on_stderr());
    out.write(curves_table(r, s));
    const Table methods = methods_table(r);
    out.write(methods);
    out.summary(summary_json(s, r));

    std::string md = setup_block(s, r);
    md += out.image(against_iteration(r, "objective", "training objective (Fig. 2)", "training objective f_t", true,
                                      &EquilibriumCurve::objective));
    md += out.image(objective_against_time(r));
    md += out.image(against_iteration(r, "test_accuracy", "test accuracy (Fig. 2 center-left)", "test accuracy", false,
                                      &EquilibriumCurve::test_accuracy));
    md += out.image(against_iteration(r, "hypergradient_norm", "hypergradient norm (Fig. 2 center-right)",
                                      "|g(lambda)|", true, &EquilibriumCurve::hypergradient_norm));
    md += out.image(against_iteration(r, "spectral_norm", "spectral norm of A (not in the paper)", "|A|_2", false,
                                      &EquilibriumCurve::spectral_norm));
    if (!r.sweep.empty()) md += out.image(sweep_figure(r));
    md += paper_block();
    md += "**Measured.** " + overlap_finding(r) + cost_finding(r) + instability_finding(r) + regularization_finding(r) +
          "Read these against the paper's statements above; the tables hold every number.\n\n";
    md += "At learning rate " + format_number(s.learning_rate) + " (`methods.csv`):\n\n" + Output::markdown(methods, 4);
    if (!r.sweep.empty()) {
        const Table sweep = sweep_table(r);
        out.write(sweep);
        md += "Learning-rate sweep, final test accuracy over seeds (`sweep.csv`):\n\n" + Output::markdown(sweep, 3);
    }
    md += divergence_notes(s, r);
    print_summary(r, out);
    return {"Equilibrium models (Grazzi et al. Sec. 3.2, Fig. 2) (`hypertape equilibrium`)", md};
}

struct EquilibriumOptions {
    EquilibriumSettings settings;
    std::vector<std::string> methods = {"itd", "fp", "cg", "itd*", "fp*", "cg*"};
    bool no_sweep = false;
    bool float64 = false;
};

}  // namespace

Section equilibrium_quick_section(const Output& out) { return equilibrium_section(EquilibriumSettings::quick(), out); }

void add_equilibrium_command(CLI::App& app) {
    auto given = std::make_shared<EquilibriumOptions>();
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "equilibrium",
        "Grazzi et al. Sec. 3.2 (Fig. 2): ITD, FP and CG-normal hypergradients for a tanh equilibrium model on "
        "Fashion-MNIST, with and without projecting A's singular values");
    add_common_options(*sub, *common);
    EquilibriumSettings& s = given->settings;
    CLI::Option* images =
        sub->add_option("--images", s.images, "training images (a multiple of 10)")->capture_default_str();
    CLI::Option* test_images =
        sub->add_option("--test-images", s.test_images, "test images (0: all 10000)")->capture_default_str();
    CLI::Option* hidden = sub->add_option("--hidden", s.hidden, "h, the size of each w_i")->capture_default_str();
    CLI::Option* iterations =
        sub->add_option("--iterations", s.iterations, "outer (Nesterov) iterations")->capture_default_str();
    CLI::Option* seeds = sub->add_option("--seeds", s.seeds, "seeds of lambda's initialisation")->capture_default_str();
    CLI::Option* t = sub->add_option("--t", s.t, "fixed-point iterations of the lower level")->capture_default_str();
    CLI::Option* k = sub->add_option("--k", s.k, "iterations of FP and CG-normal")->capture_default_str();
    CLI::Option* methods =
        sub->add_option("--methods", given->methods, "variants: itd, fp, cg (projected), itd*, fp*, cg* (unprojected)")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* rate = sub->add_option("--learning-rate", s.learning_rate, "Nesterov's step size for the curves")
                            ->capture_default_str();
    CLI::Option* momentum = sub->add_option("--momentum", s.momentum, "Nesterov's momentum")->capture_default_str();
    CLI::Option* epsilon =
        sub->add_option("--epsilon", s.epsilon, "projection onto singular values in [0, 1 - epsilon]")
            ->capture_default_str();
    CLI::Option* sweep = sub->add_option("--sweep", s.sweep_learning_rates,
                                         "learning rates of the Fig. 2 right sweep (each runs every variant again)")
                             ->delimiter(',')
                             ->capture_default_str();
    CLI::Option* no_sweep = sub->add_flag("--no-sweep", given->no_sweep, "skip the learning-rate sweep");
    CLI::Option* float64 = sub->add_flag("--float64", given->float64, "compute in float64 (default float32)");
    CLI::Option* data = sub->add_option("--data", s.data_dir, "Fashion-MNIST's folder (default: the Debian package's)");
    CLI::Option* data_seed =
        sub->add_option("--data-seed", s.data_seed, "the training images' random draw")->capture_default_str();
    sub->callback([=] {
        const EquilibriumSettings& s = given->settings;  // as parsed (the lambda must not copy it before)
        EquilibriumSettings run = common->quick ? EquilibriumSettings::quick() : EquilibriumSettings{};
        take_if_given(images, run.images, s.images);
        take_if_given(test_images, run.test_images, s.test_images);
        take_if_given(hidden, run.hidden, s.hidden);
        take_if_given(iterations, run.iterations, s.iterations);
        take_if_given(seeds, run.seeds, s.seeds);
        take_if_given(t, run.t, s.t);
        take_if_given(k, run.k, s.k);
        take_if_given(rate, run.learning_rate, s.learning_rate);
        take_if_given(momentum, run.momentum, s.momentum);
        take_if_given(epsilon, run.epsilon, s.epsilon);
        take_if_given(sweep, run.sweep_learning_rates, s.sweep_learning_rates);
        take_if_given(data, run.data_dir, s.data_dir);
        take_if_given(data_seed, run.data_seed, s.data_seed);
        if (no_sweep->count() > 0) run.sweep_learning_rates.clear();
        if (float64->count() > 0) run.dtype = f64;
        if (methods->count() > 0) {
            run.variants.clear();
            for (const std::string& m : given->methods)
                run.variants.push_back(experiments::parse_equilibrium_variant(m));
        }
        const Output out = output_for(*common, "equilibrium");
        out.report(equilibrium_section(run, out));
    });
}

}  // namespace hypertape::tools
