// `hypertape synthetic`: Grazzi et al. (2020) Sec. 3.1, the hypergradient approximation error
// against the number t of lower-level iterations on four synthetic problems (Fig. 1), through
// experiments/synthetic.hpp. The paper publishes the results as a figure only, so the report sets
// the paper's qualitative findings beside the measured numbers.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/synthetic.hpp"

namespace hypertape::tools {
namespace {

using experiments::SyntheticCurve;
using experiments::SyntheticMethod;
using experiments::SyntheticProblem;
using experiments::SyntheticProblemResult;
using experiments::SyntheticResult;
using experiments::SyntheticSettings;

// The text without its trailing "; ".
std::string without_last_separator(std::string s) {
    if (s.size() >= 2 && s.ends_with("; ")) s.resize(s.size() - 2);
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

const SyntheticCurve& curve(const SyntheticProblemResult& p, SyntheticMethod::Kind kind, bool k_is_t) {
    for (const SyntheticCurve& c : p.curves) {
        if (c.method.kind == kind && (c.method.k == 0) == k_is_t) return c;
    }
    return p.curves.front();
}

// The first t of the grid where the mean relative error is at most `level` (-1: never).
int t_to_reach(const SyntheticProblemResult& p, const SyntheticCurve& c, double level) {
    for (std::size_t i = 0; i < p.t.size(); ++i) {
        if (c.mean[i] <= level) return p.t[i];
    }
    return -1;
}

std::string reach_text(int t) { return t < 0 ? "not reached" : "t = " + std::to_string(t); }

// The mean error's factor per iteration between the first grid point below 1e-2 and the last
// one above 1e-12 (the linear phase); NaN when there is no such pair.
double measured_rate(const SyntheticProblemResult& p, const SyntheticCurve& c) {
    std::size_t first = p.t.size(), last = p.t.size();
    for (std::size_t i = 0; i < p.t.size(); ++i) {
        if (first == p.t.size() && c.mean[i] < 1e-2) first = i;
        if (c.mean[i] > 1e-12) last = i;
    }
    if (first >= p.t.size() || last >= p.t.size() || last <= first) return std::numeric_limits<double>::quiet_NaN();
    return std::pow(c.mean[last] / c.mean[first], 1.0 / (p.t[last] - p.t[first]));
}

double predicted_rate(const SyntheticProblemResult& p) {
    return experiments::synthetic_uses_heavy_ball(p.problem) ? p.heavy_ball_rate : p.gradient_rate;
}

// The mean over the grid of log10 of the mean error (floored at 1e-16): lower is better.
double mean_log_error(const SyntheticCurve& c) {
    double s = 0;
    for (double e : c.mean) s += std::log10(std::max(e, 1e-16));
    return s / static_cast<double>(c.mean.size());
}

// The largest mean error over the grid divided by the one at its first t.
double early_growth(const SyntheticCurve& c) {
    return *std::max_element(c.mean.begin(), c.mean.end()) / c.mean.front();
}

// ---- tables ----

Table errors_table(const SyntheticResult& r) {
    Table t{
        "errors",
        {"problem", "method", "t", "mean relative error", "std", "min", "max", "mean absolute error", "absolute std"},
        {}};
    for (const SyntheticProblemResult& p : r.problems) {
        for (const SyntheticCurve& c : p.curves) {
            for (std::size_t i = 0; i < p.t.size(); ++i) {
                t.add({experiments::synthetic_problem_name(p.problem), c.method.name(), static_cast<long long>(p.t[i]),
                       c.mean[i], c.stddev[i], c.min[i], c.max[i], c.absolute_mean[i], c.absolute_stddev[i]});
            }
        }
    }
    return t;
}

Table samples_table(const SyntheticResult& r) {
    Table t{"samples", {"problem", "method", "lambda", "t", "relative error", "absolute error"}, {}};
    for (const SyntheticProblemResult& p : r.problems) {
        for (const SyntheticCurve& c : p.curves) {
            for (std::size_t l = 0; l < c.relative.size(); ++l) {
                for (std::size_t i = 0; i < p.t.size(); ++i) {
                    t.add({experiments::synthetic_problem_name(p.problem), c.method.name(), static_cast<long long>(l),
                           static_cast<long long>(p.t[i]), c.relative[l][i], c.absolute[l][i]});
                }
            }
        }
    }
    return t;
}

// One problem's mean +- std at a few t, for the report.
Table excerpt_table(const SyntheticProblemResult& p) {
    Table t{"excerpt_" + lower(experiments::synthetic_problem_name(p.problem)), {"t"}, {}};
    for (const SyntheticCurve& c : p.curves) t.columns.push_back(c.method.name());
    const std::size_t n = p.t.size();
    std::vector<std::size_t> rows = {0, n / 4, n / 2, 3 * n / 4, n - 1};
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (std::size_t i : rows) {
        std::vector<Cell> row = {static_cast<long long>(p.t[i])};
        for (const SyntheticCurve& c : p.curves)
            row.push_back(format_number(c.mean[i]) + " ± " + format_number(c.stddev[i], 2));
        t.add(std::move(row));
    }
    return t;
}

Table rates_table(const SyntheticResult& r) {
    Table t{"rates",
            {"problem", "predicted rate q", "ITD measured", "FP k = t measured", "CG k = t measured",
             "ITD reaches 1e-6", "FP k = t reaches 1e-6", "CG k = t reaches 1e-6"},
            {}};
    using K = SyntheticMethod::Kind;
    for (const SyntheticProblemResult& p : r.problems) {
        const SyntheticCurve &itd = curve(p, K::itd, true), &fp = curve(p, K::fixed_point, true),
                             &cg = curve(p, K::cg, true);
        t.add({experiments::synthetic_problem_name(p.problem), predicted_rate(p), measured_rate(p, itd),
               measured_rate(p, fp), measured_rate(p, cg), reach_text(t_to_reach(p, itd, 1e-6)),
               reach_text(t_to_reach(p, fp, 1e-6)), reach_text(t_to_reach(p, cg, 1e-6))});
    }
    return t;
}

// ---- figures ----

Figure problem_figure(const SyntheticProblemResult& p) {
    const std::string name = experiments::synthetic_problem_name(p.problem);
    Figure f{"fig1_" + lower(name),
             "Fig. 1: " + experiments::synthetic_problem_title(p.problem) + " (" + name + ")",
             "t (lower-level iterations)",
             "|g(lambda) - grad f(lambda)| / |grad f(lambda)|",
             false,
             true,
             {}};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const SyntheticCurve& c : p.curves) {
        Series s{c.method.name(), {}, {}, {}, {}};
        for (std::size_t i = 0; i < p.t.size(); ++i) {
            // The band is mean +- std, its lower edge kept at the smallest sample so it stays on a log axis.
            s.x.push_back(p.t[i]);
            s.y.push_back(c.mean[i] > 0 ? c.mean[i] : nan);
            const double low = std::max(c.mean[i] - c.stddev[i], c.min[i]);
            s.low.push_back(low > 0 ? low : (c.mean[i] > 0 ? c.mean[i] : nan));
            s.high.push_back(c.mean[i] + c.stddev[i] > 0 ? c.mean[i] + c.stddev[i] : nan);
        }
        s.style = "linespoints";
        f.series.push_back(std::move(s));
    }
    return f;
}

// ---- the report ----

Table claims_table(const SyntheticResult& r) {
    using K = SyntheticMethod::Kind;
    Table t{"claims", {"Grazzi et al. (2020), Sec. 3.1", "measured here"}, {}};

    std::string linear, floor_text, ranking, growth, fixed_k;
    int cg_wins = 0;
    for (const SyntheticProblemResult& p : r.problems) {
        const std::string name = experiments::synthetic_problem_name(p.problem);
        const SyntheticCurve &itd = curve(p, K::itd, true), &fp = curve(p, K::fixed_point, true),
                             &cg = curve(p, K::cg, true), &fp10 = curve(p, K::fixed_point, false),
                             &cg10 = curve(p, K::cg, false);
        const std::size_t last = p.t.size() - 1;
        linear += name + ": ITD " + format_number(measured_rate(p, itd), 4) + ", FP " +
                  format_number(measured_rate(p, fp), 4) + ", CG " + format_number(measured_rate(p, cg), 4) +
                  " per iteration (q = " + format_number(predicted_rate(p), 4) + "); ";
        floor_text += name + " at t = " + std::to_string(p.t[last]) + ": ITD " + format_number(itd.mean[last], 2) +
                      ", FP " + format_number(fp.mean[last], 2) + ", CG " + format_number(cg.mean[last], 2) + "; ";
        ranking += name + ": ITD " + format_number(mean_log_error(itd)) + " (1e-6 at " +
                   reach_text(t_to_reach(p, itd, 1e-6)) + "), FP " + format_number(mean_log_error(fp)) + " (" +
                   reach_text(t_to_reach(p, fp, 1e-6)) + "), CG " + format_number(mean_log_error(cg)) + " (" +
                   reach_text(t_to_reach(p, cg, 1e-6)) + "); ";
        growth += name + ": ITD x" + format_number(early_growth(itd)) + ", FP x" + format_number(early_growth(fp)) +
                  ", CG x" + format_number(early_growth(cg)) + "; ";
        const bool cg_better = cg10.mean[last] < fp10.mean[last];
        cg_wins += cg_better ? 1 : 0;
        fixed_k +=
            name + ": CG " + format_number(cg10.mean[last], 2) + " vs FP " + format_number(fp10.mean[last], 2) + "; ";
    }
    t.add({"after a certain number of iterations all the approximations converge linearly to the true hypergradient",
           "mean error's factor per iteration in its linear phase (1e-2 > error > 1e-12) against the solver's rate "
           "q (gradient descent (L - mu)/(L + mu) for LR, heavy ball (sqrt L - sqrt mu)/(sqrt L + sqrt mu) "
           "otherwise): " +
               without_last_separator(linear)});
    t.add({"CG gives the best estimate (on average), followed by FP, while ITD performs the worst",
           "k = t methods: mean over the grid of log10(mean relative error) (lower is better) and the first t "
           "of the grid where the mean error is <= 1e-6: " +
               without_last_separator(ranking)});
    t.add(
        {"for HR the error of all the methods increases significantly at the beginning (heavy ball is not a "
         "contraction in the original norm)",
         "largest mean error over the grid / mean error at its first t: " + without_last_separator(growth)});
    t.add({"CG k = 10 outperforms FP k = 10 on 3 out of 4 settings, but both remain far from convergence",
           "mean relative error at the largest t: " + fixed_k + "CG k = 10 lower on " + std::to_string(cg_wins) +
               " of " + std::to_string(r.problems.size())});
    t.add({"footnote 5: the asymptotic error can be quite large, probably due to numerical errors",
           "float64 here; mean relative error at the largest t: " + without_last_separator(floor_text)});
    return t;
}

nlohmann::json summary_json(const SyntheticSettings& s, const SyntheticResult& r) {
    nlohmann::json j;
    std::vector<std::string> names;
    for (SyntheticProblem p : s.problems) names.push_back(experiments::synthetic_problem_name(p));
    j["settings"] = {{"problems", names},
                     {"t", s.t},
                     {"points", s.points},
                     {"lambdas", s.lambdas},
                     {"k", s.k},
                     {"seed", s.seed},
                     {"sizes",
                      {{"train", s.sizes.train},
                       {"validation", s.sizes.validation},
                       {"features", s.sizes.features},
                       {"hidden", s.sizes.hidden}}}};
    for (const SyntheticProblemResult& p : r.problems) {
        nlohmann::json pj;
        pj["t"] = p.t;
        pj["gradient_rate"] = p.gradient_rate;
        pj["heavy_ball_rate"] = p.heavy_ball_rate;
        pj["exact_norm"] = p.exact_norm;
        pj["seconds"] = p.seconds;
        for (const SyntheticCurve& c : p.curves) {
            pj["methods"][c.method.name()] = {{"mean", c.mean},
                                              {"std", c.stddev},
                                              {"final_mean", c.mean.back()},
                                              {"t_to_1e-6", t_to_reach(p, c, 1e-6)},
                                              {"measured_rate", measured_rate(p, c)}};
        }
        j["problems"][experiments::synthetic_problem_name(p.problem)] = pj;
    }
    return j;
}

std::string introduction(const SyntheticSettings& s, const SyntheticResult& r) {
    double seconds = 0;
    for (const SyntheticProblemResult& p : r.problems) seconds += p.seconds;
    std::string grids;
    for (const SyntheticProblemResult& p : r.problems) {
        grids += experiments::synthetic_problem_name(p.problem) + " t in {" + format_list(p.t) + "}; ";
    }
    return "Grazzi et al. (2020), Sec. 3.1 and Fig. 1: how far five hypergradient approximations g(lambda) are "
           "from the exact grad f(lambda) after t lower-level iterations, on four synthetic bilevel problems: "
           "logistic regression with one l2 penalty per feature (LR, lambda in R^p), kernel ridge regression with "
           "a per-feature Gaussian kernel (KRR, lambda = (beta, gamma in R^p)), biased regularization (BR, lambda "
           "in R^p the bias) and hyper-representation (HR, lambda = H in R^{p x d}). The methods are the library's "
           "strategies: ITD = `Reverse{}` through the t iterations, FP = `Implicit::fixed_point(k)` and CG = "
           "`Implicit::cg(k)` at w_t, each with k = t and k = " +
           std::to_string(s.k) +
           ". The exact hypergradient solves the lower level to machine precision (Newton's method; one step for "
           "the quadratic KRR, BR and HR, i.e. the closed form) and applies the implicit function theorem with the "
           "explicit Hessian factorized by LAPACK (`dposv`); the paper differentiated the closed forms by RMAD and "
           "used CG with t = k = 2000 for LR. Everything is float64. The error plotted is the relative one, "
           "\\|g - grad f\\| / \\|grad f\\| (mean and standard deviation over " +
           std::to_string(s.lambdas) +
           " random lambdas, the band's lower edge kept at the smallest sample); the paper's Fig. 1 plots the "
           "absolute \\|grad f - g\\|, which `errors.csv` also holds.\n\n"
           "Lower-level solvers as Sec. 3.1 says: gradient descent with the optimal step 2 / (mu + L) of case (a) "
           "for LR (mu = min lambda_i, L = \\|X\\|^2 / 4 + max lambda_i), heavy ball with the optimal step and "
           "momentum for the Hessian's extreme eigenvalues for KRR, BR and HR. AID's fixed-point map: FP uses the "
           "solver's own step (heavy ball on the state (w, velocity): a contraction in a norm of its own, case (b) "
           "of Sec. 2.1); CG uses the gradient step w - alpha grad l, whose I - d_w Phi = alpha Hessian is "
           "symmetric as CG requires (the velocity mapped to 0). With k = t far past convergence the library's CG "
           "breaks down once its recurrence residual underflows (p^T A p = 0); the experiment then takes CG with k "
           "halved until it runs, accepted only with a relative residual below 1e-30, so the value is the same to "
           "rounding.\n\n"
           "**Substitutions and choices.** Appendix C.1 (data generation, sizes, lambda ranges) is not in the text "
           "of the paper the project has, so these are this implementation's: X, X' with i.i.d. N(0, 1/p) "
           "entries, n = n' = " +
           std::to_string(s.sizes.train) + " examples (validation " + std::to_string(s.sizes.validation) +
           "), p = " + std::to_string(s.sizes.features) + " features, HR's d = " + std::to_string(s.sizes.hidden) +
           "; targets x^T w_true + 0.1 N(0, 1) (LR: their signs; HR: w_true = H_true u); lambda uniform in LR "
           "[0.01, 0.1]^p, KRR beta in [0.01, 0.1] and gamma in [0.1, 1]^p, BR [-1, 1]^p (beta = 0.05), HR "
           "[0, 1]^{p x d} (beta = 1). They were chosen so that each problem's error reaches rounding level "
           "within the t range of the paper's panel (LR 1000, KRR 200, BR 150, HR 500). The step constants are "
           "computed from lambda's value and are not differentiated (their terms vanish at the fixed point). "
           "Grids: " +
           grids + "the run took " + format_number(seconds) + " s.\n\n";
}

void print_summary(const SyntheticResult& r, const Output& out) {
    std::printf("synthetic: Grazzi et al. Sec. 3.1, mean relative hypergradient error at the smallest/largest t\n");
    for (const SyntheticProblemResult& p : r.problems) {
        std::printf("  %-3s (%.1f s)", experiments::synthetic_problem_name(p.problem).c_str(), p.seconds);
        for (const SyntheticCurve& c : p.curves) {
            std::printf("  %s %.2g/%.2g", c.method.name().c_str(), c.mean.front(), c.mean.back());
        }
        std::printf("\n");
    }
    std::printf("results in %s\n", out.dir().c_str());
}

Section synthetic_section(const SyntheticSettings& settings, const Output& out) {
    const SyntheticResult r = experiments::run_synthetic(settings, progress_on_stderr());
    out.write(errors_table(r));
    out.write(samples_table(r));
    const Table rates = rates_table(r);
    out.write(rates);
    const Table claims = claims_table(r);
    out.write(claims);
    out.summary(summary_json(settings, r));

    std::string md = introduction(settings, r);
    md += "**The paper's findings (Sec. 3.1 text; Fig. 1 has no published numbers) beside the measured ones:**\n\n" +
          Output::markdown(claims, 4);
    md +=
        "**Rates.** Each method's mean error per iteration in its linear phase against the lower-level solver's "
        "rate q (mean over the lambdas), and the first t of the grid where the mean relative error is at most "
        "1e-6. For LR, q comes from the global bound L = \\|X\\|^2 / 4 + max lambda (psi'' <= 1/4), so the "
        "measured rate is faster; for the heavy ball q is the asymptotic rate, and ITD's t q^t makes its "
        "apparent rate a little slower:\n\n" +
        Output::markdown(rates, 4);
    md +=
        "**Fig. 1**, one panel per problem (mean ± std of the relative error over the lambdas; every sample is in "
        "`samples.csv`, every mean in `errors.csv`):\n\n";
    for (const SyntheticProblemResult& p : r.problems) {
        md += out.image(problem_figure(p));
        md += Output::markdown(excerpt_table(p), 3);
    }
    md +=
        "On BR, ITD and FP k = t coincide: the lower level is quadratic and d_lambda Phi does not depend on w, so "
        "reverse mode through t steps sums the same t terms (d_w Phi^T)^i grad_w E as the fixed-point iteration "
        "(a test checks it to 1e-10).\n\n";
    print_summary(r, out);
    return {"Grazzi et al. Sec. 3.1: hypergradient approximation on synthetic problems (`hypertape synthetic`)", md};
}

}  // namespace

void add_synthetic_command(CLI::App& app) {
    auto given = std::make_shared<SyntheticSettings>();
    auto problems = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"lr", "krr", "br", "hr"});
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "synthetic", "Grazzi et al. Sec. 3.1: hypergradient approximation error against t on LR, KRR, BR, HR (Fig. 1)");
    add_common_options(*sub, *common);
    CLI::Option* problems_option = sub->add_option("--problems", *problems, "problems among lr, krr, br, hr")
                                       ->delimiter(',')
                                       ->capture_default_str();
    CLI::Option* t_option =
        sub->add_option("--t", given->t, "lower-level iterations t (default: each panel's grid up to the paper's t)")
            ->delimiter(',');
    CLI::Option* points =
        sub->add_option("--points", given->points, "size of the default t grid")->capture_default_str();
    CLI::Option* lambdas =
        sub->add_option("--lambdas", given->lambdas, "random lambdas per problem")->capture_default_str();
    CLI::Option* k = sub->add_option("--k", given->k, "the fixed k of FP k = 10 and CG k = 10")->capture_default_str();
    CLI::Option* seed = sub->add_option("--seed", given->seed, "data and lambda seed")->capture_default_str();
    sub->callback([=] {
        SyntheticSettings s = common->quick ? SyntheticSettings::quick() : *given;
        take_if_given(t_option, s.t, given->t);
        take_if_given(points, s.points, given->points);
        take_if_given(lambdas, s.lambdas, given->lambdas);
        take_if_given(k, s.k, given->k);
        take_if_given(seed, s.seed, given->seed);
        if (problems_option->count() > 0 || !common->quick) {
            s.problems.clear();
            for (const std::string& name : *problems) s.problems.push_back(experiments::parse_synthetic_problem(name));
        }
        const Output out = output_for(*common, "synthetic");
        out.report(synthetic_section(s, out));
    });
}

Section synthetic_quick_section(const Output& out) { return synthetic_section(SyntheticSettings::quick(), out); }

}  // namespace hypertape::tools
