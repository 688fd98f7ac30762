// `hypertape toy`: Shaban et al. (2019) Sec. 4.1, the toy problem (Figs. 1-4), through
// experiments/toy.hpp. The paper publishes figures only, so the report sets the paper's
// qualitative claims beside the measured numbers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/toy.hpp"

namespace hypertape::tools {
namespace {

using experiments::ToyObjective;
using experiments::ToyResult;
using experiments::ToySettings;
using experiments::ToyTrajectory;
using experiments::ToyTruncationError;
using Point = std::array<double, 2>;

std::string point(const Point& p, int digits = 4) {
    return "(" + format_number(p[0], digits) + ", " + format_number(p[1], digits) + ")";
}

std::string method(const ToyTrajectory& run) { return run.full ? "full RMD" : std::to_string(run.truncation) + "-RMD"; }

double length(const Point& p) { return std::hypot(p[0], p[1]); }

std::vector<const ToyTrajectory*> runs_on(const ToyResult& r, ToyObjective objective) {
    std::vector<const ToyTrajectory*> runs;
    for (const ToyTrajectory& run : r.runs) {
        if (run.objective == objective) runs.push_back(&run);
    }
    return runs;
}

// The smallest ratio of Fig. 2 for the k-th K (NaNs, where d = 0, left out).
double smallest_ratio(const experiments::ToyRatios& ratios, std::size_t k) {
    double smallest = INFINITY;
    for (double v : ratios.ratio[k]) {
        if (!std::isnan(v)) smallest = std::min(smallest, v);
    }
    return smallest;
}

double largest_error_over_bound(const ToyResult& r) {
    double largest = 0;
    for (const ToyTruncationError& e : r.errors) largest = std::max(largest, e.error / e.bound);
    return largest;
}

// ---- tables ----

Table errors_table(const ToyResult& r) {
    Table t{"fig1_errors", {"K", "error", "bound", "error / bound", "closed-form deviation"}, {}};
    for (const ToyTruncationError& e : r.errors) {
        t.add({static_cast<long long>(e.truncation), e.error, e.bound, e.error / e.bound, e.closed_form_deviation});
    }
    return t;
}

// Fig. 1's rows at a few K, for the report.
Table errors_excerpt(const ToyResult& r) {
    const int T = r.settings.steps;
    Table t{"fig1_excerpt", {"K", "|h_{T-K} - d f|", "bound (10)", "error / bound"}, {}};
    for (const ToyTruncationError& e : r.errors) {
        const int K = e.truncation;
        if (K == 1 || K == 2 || K == 5 || K % 10 == 0 || K == 25 || K == 75 || K == T - 1 || K == T) {
            t.add({static_cast<long long>(K), e.error, e.bound, e.error / e.bound});
        }
    }
    return t;
}

Table ratios_table(const ToyResult& r) {
    Table t{"fig2_ratios", {"objective", "tau", "lambda_1", "lambda_2"}, {}};
    for (int K : r.settings.ratio_truncations) t.columns.push_back("ratio K=" + std::to_string(K));
    for (const experiments::ToyRatios* ratios : {&r.ratios, &r.ratios_tilde}) {
        for (std::size_t tau = 0; tau < ratios->lambdas.size(); ++tau) {
            std::vector<Cell> row;
            row.emplace_back(to_string(ratios->objective));
            row.emplace_back(static_cast<long long>(tau + 1));
            row.emplace_back(ratios->lambdas[tau][0]);
            row.emplace_back(ratios->lambdas[tau][1]);
            for (const std::vector<double>& ratio : ratios->ratio) row.emplace_back(ratio[tau]);
            t.add(std::move(row));
        }
    }
    return t;
}

Table trajectories_table(const ToyResult& r) {
    Table t{"trajectories",
            {"objective", "method", "K", "eta_0", "tau", "lambda_1", "lambda_2", "loss", "d_1", "d_2", "|d|",
             "distance to optimum"},
            {}};
    for (const ToyTrajectory& run : r.runs) {
        for (std::size_t tau = 0; tau < run.lambdas.size(); ++tau) {
            t.add({to_string(run.objective), method(run), static_cast<long long>(run.truncation),
                   run.initial_learning_rate, static_cast<long long>(tau + 1), run.lambdas[tau][0], run.lambdas[tau][1],
                   run.loss[tau], run.gradients[tau][0], run.gradients[tau][1], length(run.gradients[tau]),
                   run.distance[tau]});
        }
    }
    return t;
}

// Where each run ends, for Figs. 3 and 4.
Table runs_table(const ToyResult& r) {
    Table t{"runs",
            {"objective", "method", "eta_0", "final lambda_1", "final lambda_2", "distance to optimum", "final loss",
             "final gradient norm"},
            {}};
    for (const ToyTrajectory& run : r.runs) {
        t.add({to_string(run.objective), method(run), run.initial_learning_rate, run.lambdas.back()[0],
               run.lambdas.back()[1], run.distance.back(), run.loss.back(), length(run.gradients.back())});
    }
    return t;
}

// ---- figures ----
// Titles and labels are gnuplot enhanced text (Figure::enhanced): _{..} and ^{..} are sub- and
// superscripts, and f~ is written f̃ because gnuplot reads ~ as an overprint.

std::string plot_name(ToyObjective objective) { return objective == ToyObjective::f ? "f" : "f̃"; }

Series curve(std::string title, std::string style = "lines") {
    Series s;
    s.title = std::move(title);
    s.style = std::move(style);
    return s;
}

Figure errors_figure(const ToyResult& r) {
    Figure f{"fig1_errors",
             "Fig. 1: truncation error at λ = " + point(r.settings.error_point, 3),
             "K",
             "|h_{T-K} - d_λ f|",
             false,
             true,
             {}};
    Series error = curve("|h_{T-K} - d_λ f|");
    Series bound = curve("bound (10): (1 - γα)^K / (γα) |∇_w f| M_B");
    for (const ToyTruncationError& e : r.errors) {
        if (e.error > 0) {  // 0 at K = T: no place on a log axis
            error.x.push_back(e.truncation);
            error.y.push_back(e.error);
        }
        bound.x.push_back(e.truncation);
        bound.y.push_back(e.bound);
    }
    f.series = {error, bound};
    f.enhanced = true;
    return f;
}

Figure ratios_figure(const experiments::ToyRatios& ratios, const std::string& name, const std::string& side) {
    const std::string objective = plot_name(ratios.objective);
    Figure f{name,
             "Fig. 2 (" + side + "): h_{T-K}^T d / |d|^2 along the 1-RMD trajectory on " + objective,
             "hyper-iteration τ",
             "h_{T-K}^T d_λ " + objective + " / |d_λ " + objective + "|^2",
             true,
             false,
             {}};
    for (std::size_t k = 0; k < ratios.truncations.size(); ++k) {
        Series s = curve("K = " + std::to_string(ratios.truncations[k]));
        s.y = ratios.ratio[k];
        for (std::size_t tau = 0; tau < s.y.size(); ++tau) s.x.push_back(static_cast<double>(tau + 1));
        f.series.push_back(std::move(s));
    }
    f.enhanced = true;
    return f;
}

Figure plane_figure(const ToyResult& r, ToyObjective objective, const std::string& name, const std::string& title,
                    const Point& optimum) {
    Figure f{name, title, "λ_1", "λ_2", false, false, {}};
    for (const ToyTrajectory* run : runs_on(r, objective)) {
        Series s = curve(method(*run));
        for (const Point& p : run->lambdas) {
            s.x.push_back(p[0]);
            s.y.push_back(p[1]);
        }
        f.series.push_back(std::move(s));
    }
    Series x = curve("optimal λ", "points pt 2 ps 3");  // the paper's X
    x.x = {optimum[0]};
    x.y = {optimum[1]};
    f.series.push_back(std::move(x));
    f.enhanced = true;
    return f;
}

// One curve per run of `objective`: value(run, tau) against tau, log scale (zeros left out).
Figure against_tau(const ToyResult& r, ToyObjective objective, const std::string& name, const std::string& title,
                   const std::string& ylabel, double (*value)(const ToyTrajectory&, std::size_t)) {
    Figure f{name, title, "hyper-iteration τ", ylabel, true, true, {}};
    for (const ToyTrajectory* run : runs_on(r, objective)) {
        Series s = curve(method(*run));
        for (std::size_t tau = 0; tau < run->lambdas.size(); ++tau) {
            const double v = value(*run, tau);
            if (!(v > 0)) continue;
            s.x.push_back(static_cast<double>(tau + 1));
            s.y.push_back(v);
        }
        f.series.push_back(std::move(s));
    }
    f.enhanced = true;
    return f;
}

double distance_at(const ToyTrajectory& run, std::size_t tau) { return run.distance[tau]; }
double loss_at(const ToyTrajectory& run, std::size_t tau) { return run.loss[tau]; }  // f* = 0

// ---- the report ----

// The paper's claims (quoted or paraphrased from Sec. 4.1) beside this run's numbers.
Table claims_table(const ToyResult& r) {
    const ToySettings& s = r.settings;
    Table t{"claims", {"figure", "Shaban et al. (2019), Sec. 4.1", "measured here"}, {}};
    t.add({"Fig. 1", "the error lies under the bound (10) of Prop. 3.1 for every K",
           "largest error / bound over K = 1.." + std::to_string(s.steps) + ": " +
               format_number(largest_error_over_bound(r)) +
               (largest_error_over_bound(r) <= 1 ? " (under the bound at every K)" : " (ABOVE the bound)")});
    t.add({"Fig. 1", "the bias decays exponentially in K, at the rate 1 - gamma alpha = " + format_number(r.bound_rate),
           "mean factor per unit of K over K = 1.." + std::to_string(s.steps / 2) + ": " +
               format_number(r.error_rate, 4) +
               " (the slow coordinate's factor is 1 - gamma/2 = " + format_number(r.bound_rate) +
               ", the other's 1 - gamma = " + format_number(1 - s.step_size) + "); the error is 0 at K = T"});
    t.add({"eq. (8)", "h_{T-K} = (I - (I - gamma G)^K) grad_w f here (B_0 = 0, B_t = gamma G)",
           "largest relative deviation of hypergradient(Truncated{K}) from it: " +
               format_number(r.max_closed_form_deviation)});
    std::string lemma, negative;
    for (std::size_t k = 0; k < r.ratios.truncations.size(); ++k) {
        const std::string K = "K = " + std::to_string(r.ratios.truncations[k]) + ": ";
        lemma += (k ? ", " : "") + K + format_number(smallest_ratio(r.ratios, k));
        negative += (k ? ", " : "") + K + format_number(smallest_ratio(r.ratios_tilde, k));
    }
    t.add({"Fig. 2 left", "on f the ratio h_{T-K}^T d f / |d f|^2 stays well away from zero (Lemma 3.2)",
           "smallest ratio along the 1-RMD trajectory: " + lemma});
    t.add({"Fig. 2 right", "on f~ the ratio can become negative", "smallest ratio: " + negative});
    std::string biased, exact;
    for (const ToyTrajectory* run : runs_on(r, ToyObjective::f_tilde)) {
        biased += (biased.empty() ? "" : ", ") + method(*run) + ": " + format_number(run->distance.back());
    }
    for (const ToyTrajectory* run : runs_on(r, ToyObjective::f)) {
        exact += (exact.empty() ? "" : ", ") + method(*run) + ": " + format_number(run->distance.back(), 2);
    }
    t.add({"Fig. 3", "1-RMD on f~ converges to a suboptimal point; larger K rapidly decreases the bias",
           "distance to f~'s optimum " + point(r.optimum_tilde) + " after " + std::to_string(s.iterations) +
               " hyper-iterations: " + biased});
    t.add({"Fig. 4", "on f every K converges exactly (Theorem 3.4); the optimum is offset from the origin",
           "lambda* = " + point(r.optimum) + " (w_T = 0, f = 0); distance after " + std::to_string(s.iterations) +
               " hyper-iterations: " + exact});
    return t;
}

nlohmann::json summary_json(const ToyResult& r) {
    const ToySettings& s = r.settings;
    nlohmann::json j;
    j["settings"] = {{"steps", s.steps},
                     {"step_size", s.step_size},
                     {"error_point", s.error_point},
                     {"start", s.start},
                     {"truncations", s.truncations},
                     {"ratio_truncations", s.ratio_truncations},
                     {"iterations", s.iterations},
                     {"first_update_norm", s.first_update_norm}};
    j["fig1"] = {{"bound_rate", r.bound_rate},
                 {"error_rate", r.error_rate},
                 {"largest_error_over_bound", largest_error_over_bound(r)},
                 {"max_closed_form_deviation", r.max_closed_form_deviation},
                 {"outer_gradient_norm", r.outer_gradient_norm}};
    j["optimum_f"] = r.optimum;
    j["optimum_f_tilde"] = {
        {"lambda", r.optimum_tilde}, {"value", r.minimum_tilde}, {"gradient_norm", r.optimum_tilde_residual}};
    nlohmann::json runs = nlohmann::json::array();
    for (const ToyTrajectory& run : r.runs) {
        runs.push_back({{"objective", to_string(run.objective)},
                        {"method", method(run)},
                        {"eta_0", run.initial_learning_rate},
                        {"final_lambda", run.lambdas.back()},
                        {"final_distance", run.distance.back()},
                        {"final_loss", run.loss.back()},
                        {"final_gradient_norm", length(run.gradients.back())}});
    }
    j["runs"] = runs;
    for (const experiments::ToyRatios* ratios : {&r.ratios, &r.ratios_tilde}) {
        nlohmann::json smallest = nlohmann::json::object();
        for (std::size_t k = 0; k < ratios->truncations.size(); ++k) {
            smallest[std::to_string(ratios->truncations[k])] = smallest_ratio(*ratios, k);
        }
        j["fig2_smallest_ratio"][to_string(ratios->objective)] = smallest;
    }
    j["seconds"] = r.seconds;
    return j;
}

std::string introduction(const ToyResult& r) {
    const ToySettings& s = r.settings;
    return "The toy problem of Shaban et al. (2019), Sec. 4.1: lambda, w in R^2, inner g(w, lambda) = 1/2 (w - "
           "lambda)^T G (w - lambda) with G = diag(1, 1/2), solved by T = " +
           std::to_string(s.steps) + " gradient-descent steps with gamma = " + format_number(s.step_size) +
           " from w_0 = (2, 2); outer f = \\|w_T\\|^2 + 10 \\|sin w_T\\|^2 and f~ = f + 5 \\|lambda - (1, 0)\\|^2. "
           "Everything runs in float64 through the library: `hypergradient(problem, lambda, Truncated{K})` for "
           "h_{T-K}, `Reverse{}` for d_lambda f, and `optimize(..., HyperSGD{eta_0})` (eta_tau = eta_0 / sqrt(tau)) "
           "for the trajectories, with eta_0 set per K so that the first update eta_1 h_{T-K}(lambda_1) has norm " +
           format_number(s.first_update_norm) + " (footnote 4). Sizes: Fig. 1 at lambda = " + point(s.error_point, 3) +
           " for K = 1.." + std::to_string(s.steps) + "; " + std::to_string(s.iterations) +
           " hyper-iterations from lambda_1 = " + point(s.start, 3) + " for K = " + format_list(s.truncations) +
           " and full RMD; Fig. 2 for K = " + format_list(s.ratio_truncations) + ". The run took " +
           format_number(r.seconds) +
           " s.\n\n"
           "The paper publishes these results as figures only, without a table or the numbers behind them, so "
           "the comparison is of shapes and claims. Choices the paper leaves open: lambda_1 (it gives none; "
           "this run starts at " +
           point(s.start, 3) +
           ", on the far side of f~'s optimum from where 1-RMD settles, so that the 1-RMD path on f~ crosses "
           "the region where h_{T-1} and d f~ disagree; started at (1, 1) the ratios on f~ stay positive), the "
           "number of hyper-iterations, and how f~'s optimum was found (here: gradient descent with full "
           "hypergradients and step 1/32, stopped at \\|d f~\\| <= 1e-12). f's optimum is in closed form: "
           "w_T = C w_0 + (I - C) lambda with C = (I - gamma G)^T, so f = f* = 0 at lambda* = -(I - C)^{-1} C w_0. "
           "The paper's graph of f in Fig. 1 is not drawn.\n\n";
}

void print_summary(const ToyResult& r, const Output& out) {
    std::printf("toy: Shaban et al. Sec. 4.1, T = %d, gamma = %g, %d hyper-iterations (%.1f s)\n", r.settings.steps,
                r.settings.step_size, r.settings.iterations, r.seconds);
    std::printf(
        "  Fig. 1: error <= bound for every K (largest error/bound %.3g); decay %.4f per K vs 1 - gamma alpha = %.4f\n",
        largest_error_over_bound(r), r.error_rate, r.bound_rate);
    for (const ToyTrajectory& run : r.runs) {
        std::printf("  %-2s %-9s ends at (%+.5f, %+.5f), %.3g from the optimum\n", to_string(run.objective).c_str(),
                    method(run).c_str(), run.lambdas.back()[0], run.lambdas.back()[1], run.distance.back());
    }
    std::printf("results in %s\n", out.dir().c_str());
}

Section toy_section(const ToySettings& settings, const Output& out) {
    const ToyResult r = experiments::run_toy(settings, progress_on_stderr());
    out.write(errors_table(r));
    out.write(ratios_table(r));
    out.write(trajectories_table(r));
    const Table runs = runs_table(r);
    out.write(runs);
    const Table claims = claims_table(r);
    out.write(claims);
    out.summary(summary_json(r));

    std::string md = introduction(r);
    md += "**The paper's claims beside the measured numbers:**\n\n" + Output::markdown(claims, 4);
    md +=
        "**Fig. 1** (Prop. 3.1). The error is exactly \\|A^K (I - A^{T-K}) grad_w f\\| with A = I - gamma G: "
        "its slow coordinate shrinks by 1 - gamma alpha per unit of K, which is the bound's rate, so the two "
        "curves are nearly parallel on the log axis (the fast coordinate, 1 - gamma per unit of K, steepens the error "
        "a little) until the (I - A^{T-K}) factor pulls the error to 0 at K = T.\n\n";
    md += out.image(errors_figure(r));
    md += Output::markdown(errors_excerpt(r), 4);
    md +=
        "**Fig. 2**: h_{T-K}^T d / \\|d\\|^2 at each lambda_tau of the 1-RMD trajectory (d the full "
        "hypergradient of the same objective). On f every h_{T-K} and d f are the same diagonal scalings of "
        "grad_w f(w_T), so the ratio stays between the smallest and largest (1 - (1 - gamma G_ii)^K) / (1 - (1 - "
        "gamma G_ii)^T); on f~ the term grad_lambda f~ breaks this, and at 1-RMD's limit h_{T-1} = 0 while d f~ "
        "is not.\n\n";
    md += out.image(ratios_figure(r.ratios, "fig2_ratios_f", "left"));
    md += out.image(ratios_figure(r.ratios_tilde, "fig2_ratios_f_tilde", "right"));
    md +=
        "**Fig. 3**: K-RMD on f~ settles where h_{T-K} = 0, away from f~'s optimum (the X); the gap shrinks "
        "quickly with K.\n\n";
    md += out.image(plane_figure(r, ToyObjective::f_tilde, "fig3_trajectories", "Fig. 3: λ_τ on f̃ (X: the optimum)",
                                 r.optimum_tilde));
    md += out.image(against_tau(r, ToyObjective::f_tilde, "fig3_distance", "Fig. 3: distance to the optimum of f̃",
                                "|λ_τ - λ^*|", distance_at));
    md +=
        "**Fig. 4**: on f every K reaches lambda*, offset from the origin because T steps do not solve the "
        "inner problem.\n\n";
    md += out.image(
        plane_figure(r, ToyObjective::f, "fig4_trajectories", "Fig. 4: λ_τ on f (X: the optimum)", r.optimum));
    md += out.image(against_tau(r, ToyObjective::f, "fig4_convergence", "Fig. 4: convergence on f",
                                "f(λ_τ) - f^* (f^* = 0)", loss_at));
    md +=
        "Where each run ends (`runs.csv`; every iterate is in `trajectories.csv`, every ratio in "
        "`fig2_ratios.csv`, every K of Fig. 1 in `fig1_errors.csv`):\n\n" +
        Output::markdown(runs, 4);
    print_summary(r, out);
    return {"Shaban et al. Sec. 4.1: the toy problem (`hypertape toy`)", md};
}

}  // namespace

void add_toy_command(CLI::App& app) {
    auto given = std::make_shared<ToySettings>();
    auto start = std::make_shared<std::vector<double>>(given->start.begin(), given->start.end());
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "toy", "Shaban et al. Sec. 4.1: truncated back-propagation on a 2-D toy problem (Figs. 1-4)");
    add_common_options(*sub, *common);
    CLI::Option* steps = sub->add_option("--steps", given->steps, "inner steps T")->capture_default_str();
    CLI::Option* step_size =
        sub->add_option("--step-size", given->step_size, "inner step size gamma, in (0, 1]")->capture_default_str();
    CLI::Option* iterations =
        sub->add_option("--iterations", given->iterations, "hyper-iterations of every run")->capture_default_str();
    CLI::Option* truncations = sub->add_option("--truncations", given->truncations, "K of the K-RMD runs (Figs. 3, 4)")
                                   ->delimiter(',')
                                   ->capture_default_str();
    CLI::Option* ratio_truncations =
        sub->add_option("--ratio-truncations", given->ratio_truncations, "K of Fig. 2's ratios")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* first_update = sub->add_option("--first-update-norm", given->first_update_norm,
                                                "|eta_1 h_{T-K}(lambda_1)|, which sets eta_0 per K (footnote 4)")
                                    ->capture_default_str();
    CLI::Option* start_option =
        sub->add_option("--start", *start, "lambda_1 of every run: two numbers, e.g. --start=-1,1 (the default)")
            ->expected(2)
            ->delimiter(',');
    sub->callback([=] {
        ToySettings s = common->quick ? ToySettings::quick() : ToySettings{};
        take_if_given(steps, s.steps, given->steps);
        take_if_given(step_size, s.step_size, given->step_size);
        take_if_given(iterations, s.iterations, given->iterations);
        take_if_given(truncations, s.truncations, given->truncations);
        take_if_given(ratio_truncations, s.ratio_truncations, given->ratio_truncations);
        take_if_given(first_update, s.first_update_norm, given->first_update_norm);
        if (start_option->count() > 0) s.start = {(*start)[0], (*start)[1]};
        const Output out = output_for(*common, "toy");
        out.report(toy_section(s, out));
    });
}

Section toy_quick_section(const Output& out) { return toy_section(ToySettings::quick(), out); }

}  // namespace hypertape::tools
