// `hypertape oneshot`: Shaban et al. (2019) Sec. 4.3 and App. G.3, one-shot meta-learning (Table 4,
// Fig. 7), on 5-way one-shot tasks from Fashion-MNIST through experiments/oneshot.hpp. The report
// sets the measured table beside the paper's Table 4 (Omniglot) and draws Fig. 7's four plots.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/oneshot.hpp"

namespace hypertape::tools {
namespace {

using experiments::OneshotResult;
using experiments::OneshotRun;
using experiments::OneshotSettings;

// Table 4 of the paper, its 5000-hyper-iteration rows: Omniglot, T = 50 (accuracy in %).
struct PaperRow {
    int K;  // 0: full RMD
    double accuracy, seconds_per_iteration;
};
constexpr PaperRow kTable4[] = {{1, 95.6, 0.4}, {10, 96.3, 0.7}, {25, 96.1, 1.3}, {0, 95.8, 2.2}};

std::string method(const OneshotRun& run, int steps) {
    return run.full ? "full RMD (K = T = " + std::to_string(steps) + ")" : std::to_string(run.K) + "-RMD";
}

const PaperRow* paper_row(const OneshotRun& run) {
    for (const PaperRow& row : kTable4) {
        if ((run.full && row.K == 0) || (!run.full && row.K == run.K)) return &row;
    }
    return nullptr;
}

std::string rho_text(const OneshotRun& run) {
    std::string text;
    for (double r : run.rho) text += (text.empty() ? "" : ", ") + format_number(r);
    return text;
}

// ---- tables ----

Table table4(const OneshotResult& r) {
    Table t{"table4",
            {"method", "test acc. % (95% interval)", "paper (Omniglot)", "hyper-iterations", "paper",
             "time / hyper-iteration", "paper", "peak bytes (hypergradient)", "blocks 1-2 tape"},
            {}};
    for (const OneshotRun& run : r.runs) {
        const PaperRow* paper = paper_row(run);
        t.add({method(run, r.settings.steps),
               format_fixed(100 * run.test_accuracy, 1) + " ± " + format_fixed(100 * run.test_ci95, 1),
               paper ? format_fixed(paper->accuracy, 1) : std::string("-"),
               static_cast<long long>(r.settings.hyper_iterations), paper ? std::string("5000") : std::string("-"),
               format_seconds(run.seconds_per_iteration),
               paper ? format_seconds(paper->seconds_per_iteration) : std::string("-"),
               format_bytes(static_cast<double>(run.peak_bytes)),
               format_bytes(static_cast<double>(run.feature_tape_bytes))});
    }
    return t;
}

Table runs_table(const OneshotResult& r) {
    Table t{"runs",
            {"K", "full RMD", "test accuracy", "95% interval", "test loss", "seconds per hyper-iteration", "peak bytes",
             "blocks 1-2 tape bytes", "final gamma", "final rho", "final validation loss"},
            {}};
    for (const OneshotRun& run : r.runs) {
        t.add({static_cast<long long>(run.K), run.full ? "yes" : "no", run.test_accuracy, run.test_ci95, run.test_loss,
               run.seconds_per_iteration, static_cast<long long>(run.peak_bytes),
               static_cast<long long>(run.feature_tape_bytes), run.step_size, rho_text(run),
               run.validation_losses.back()});
    }
    return t;
}

Table history_table(const OneshotResult& r) {
    Table t{
        "fig7_validation_loss", {"K", "hyper-iteration", "validation loss (meta-batch mean, before the update)"}, {}};
    for (const OneshotRun& run : r.runs) {
        for (std::size_t i = 0; i < run.validation_losses.size(); ++i) {
            t.add({static_cast<long long>(run.K), static_cast<long long>(i + 1), run.validation_losses[i]});
        }
    }
    return t;
}

Table accuracy_table(const OneshotResult& r) {
    Table t{"fig7_test_accuracy", {"K", "hyper-iteration", "test accuracy"}, {}};
    for (const OneshotRun& run : r.runs) {
        for (std::size_t i = 0; i < run.eval_iterations.size(); ++i) {
            t.add({static_cast<long long>(run.K), static_cast<long long>(run.eval_iterations[i]),
                   run.eval_accuracies[i]});
        }
    }
    return t;
}

Table cosine_table(const OneshotResult& r) {
    Table t{"fig7_cosine", {"K", "hyper-iteration", "cos(h_K, h_full)"}, {}};
    for (const OneshotRun& run : r.runs) {
        for (std::size_t i = 0; i < run.cosines.size(); ++i) {
            t.add({static_cast<long long>(run.K), static_cast<long long>(run.cosine_iterations[i]), run.cosines[i]});
        }
    }
    return t;
}

Table error_table(const OneshotResult& r) {
    const experiments::OneshotErrorCurve& c = r.error_curve;
    Table t{"fig7_relative_error", {"K", "relative error (regularised)", "relative error (rho = 0)"}, {}};
    for (std::size_t i = 0; i < c.K.size(); ++i) {
        t.add({static_cast<long long>(c.K[i]), c.regularized[i], c.unregularized[i]});
    }
    return t;
}

// ---- figures ----

// A running mean over `window` iterations: one meta-batch of 4 tasks is a noisy estimate of f.
std::vector<double> running_mean(const std::vector<double>& v, std::size_t window) {
    std::vector<double> out;
    double sum = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        sum += v[i];
        if (i >= window) sum -= v[i - window];
        out.push_back(sum / static_cast<double>(std::min(i + 1, window)));
    }
    return out;
}

std::size_t smoothing_window(const OneshotResult& r) {
    return static_cast<std::size_t>(std::max(1, r.settings.hyper_iterations / 20));
}

Figure accuracy_figure(const OneshotResult& r) {
    Figure f{"fig7_test_accuracy",
             "Fig. 7 (1): test accuracy on " + std::to_string(r.settings.eval_tasks) + " meta-test tasks",
             "hyper-iteration",
             "test accuracy",
             false,
             false,
             {}};
    for (const OneshotRun& run : r.runs) {
        Series s{method(run, r.settings.steps), {}, run.eval_accuracies, {}, {}, "linespoints"};
        s.x.assign(run.eval_iterations.begin(), run.eval_iterations.end());
        f.series.push_back(std::move(s));
    }
    return f;
}

Figure loss_figure(const OneshotResult& r) {
    Figure f{"fig7_validation_loss",
             "Fig. 7 (2): validation loss f (meta-batch mean, running mean over " +
                 std::to_string(smoothing_window(r)) + " hyper-iterations)",
             "hyper-iteration",
             "validation loss",
             false,
             false,
             {}};
    for (const OneshotRun& run : r.runs) {
        Series s{method(run, r.settings.steps),
                 {},
                 running_mean(run.validation_losses, smoothing_window(r)),
                 {},
                 {},
                 "lines"};
        for (std::size_t i = 0; i < s.y.size(); ++i) s.x.push_back(static_cast<double>(i + 1));
        f.series.push_back(std::move(s));
    }
    return f;
}

Figure cosine_figure(const OneshotResult& r) {
    Figure f{"fig7_cosine",
             "Fig. 7 (3): cosine between K-RMD and full-RMD hypergradients",
             "hyper-iteration",
             "cosine",
             false,
             false,
             {}};
    for (const OneshotRun& run : r.runs) {
        if (run.full) continue;
        Series s{method(run, r.settings.steps), {}, run.cosines, {}, {}, "linespoints"};
        s.x.assign(run.cosine_iterations.begin(), run.cosine_iterations.end());
        f.series.push_back(std::move(s));
    }
    return f;
}

Figure error_figure(const OneshotResult& r) {
    const experiments::OneshotErrorCurve& c = r.error_curve;
    Figure f{"fig7_relative_error",
             "Fig. 7 (4): |h_K - h_full| / |h_full| against K",
             "K",
             "relative error",
             false,
             true,
             {}};
    std::vector<double> K(c.K.begin(), c.K.end());
    f.series.push_back({"regularised (rho = softplus(nu))", K, c.regularized, {}, {}, "linespoints"});
    f.series.push_back({"rho = 0", K, c.unregularized, {}, {}, "linespoints"});
    return f;
}

// ---- the report ----

nlohmann::json summary_json(const OneshotResult& r) {
    const OneshotSettings& s = r.settings;
    nlohmann::json j;
    j["settings"] = {{"data_dir", s.data_dir},
                     {"ways", s.ways},
                     {"queries", s.queries},
                     {"filters", s.filters},
                     {"steps", s.steps},
                     {"meta_batch", s.meta_batch},
                     {"hyper_iterations", s.hyper_iterations},
                     {"truncations", s.truncations},
                     {"meta_learning_rate", s.meta_learning_rate},
                     {"initial_step_size", s.initial_step_size},
                     {"initial_rho", s.initial_rho},
                     {"batch_norm_eps", s.batch_norm_eps},
                     {"test_tasks", s.test_tasks},
                     {"eval_every", s.eval_every},
                     {"eval_tasks", s.eval_tasks},
                     {"error_truncations", s.error_truncations},
                     {"seed", s.seed}};
    j["hyperparameters"] = r.hyperparameters;
    j["parameters"] = r.parameters;
    j["seconds"] = r.seconds;
    nlohmann::json runs = nlohmann::json::array();
    for (const OneshotRun& run : r.runs) {
        runs.push_back({{"K", run.K},
                        {"full", run.full},
                        {"test_accuracy", run.test_accuracy},
                        {"test_ci95", run.test_ci95},
                        {"test_loss", run.test_loss},
                        {"seconds_per_iteration", run.seconds_per_iteration},
                        {"peak_bytes", run.peak_bytes},
                        {"feature_tape_bytes", run.feature_tape_bytes},
                        {"step_size", run.step_size},
                        {"rho", run.rho}});
    }
    j["runs"] = runs;
    j["relative_error"] = {{"K", r.error_curve.K},
                           {"regularized", r.error_curve.regularized},
                           {"unregularized", r.error_curve.unregularized},
                           {"rate_regularized", r.error_curve.rate_regularized},
                           {"rate_unregularized", r.error_curve.rate_unregularized},
                           {"at", r.error_curve.at}};
    return j;
}

std::string introduction(const OneshotResult& r) {
    const OneshotSettings& s = r.settings;
    return "One-shot meta-learning (Shaban et al. 2019, Sec. 4.3 and App. G.3): " + std::to_string(s.ways) +
           "-way one-shot tasks, 1 training image (S) and " + std::to_string(s.queries) +
           " validation images (Q) per class. The network of the paper's Fig. 8: four blocks of conv 3x3 (" +
           std::to_string(s.filters) + " filters, padding 1), max-pool 2, batch norm (batch statistics, eps " +
           format_number(s.batch_norm_eps) + ") and ReLU, 28 -> 14 -> 7 -> 3 -> 1, then a linear layer to " +
           std::to_string(s.ways) +
           " logits. Blocks 1-2 are the hyper-representation theta; blocks 3-4 and the linear layer are w, "
           "fitted per task by T = " +
           std::to_string(s.steps) +
           " steps of gradient descent from w_0 = c on g_S = sum_S CE + sum_j rho_j \\|w_j - c_j\\|^2. lambda = "
           "{theta, c, nu, log gamma} (" +
           std::to_string(r.hyperparameters) + " hyperparameters, " + std::to_string(r.parameters) +
           " parameters; rho = softplus(nu), gamma = exp(log gamma); at the start every rho_j = " +
           format_number(s.initial_rho) + " and gamma = " + format_number(s.initial_step_size) +
           ") is meta-trained by Adam (learning rate " + format_number(s.meta_learning_rate) +
           ") on the mean hypergradient of " + std::to_string(s.meta_batch) + " tasks per hyper-iteration, " +
           std::to_string(s.hyper_iterations) +
           " hyper-iterations per method, every method from the same initial lambda on the same meta-batches. "
           "The hypergradient of the features phi_S, phi_Q of blocks 1-2 comes from `hypergradient()` "
           "(`Truncated{K}`, or `Reverse{}` for full RMD) and is chained into theta by one reverse sweep "
           "through blocks 1-2.\n\n"
           "**Data: Fashion-MNIST in place of Omniglot**, which Debian does not package. Each task draws " +
           std::to_string(s.ways) +
           " of the 10 classes at random, labels permuted; meta-training draws its images from the " +
           std::to_string(r.train_images) + " training images, meta-testing from the " + std::to_string(r.test_images) +
           " test images. The classes are the same at meta-test time (Fashion-MNIST has only 10), the images "
           "are not: unlike the paper's split of Omniglot's characters, this tests new images of known "
           "classes, so the accuracies are not comparable with the paper's. Seed " +
           std::to_string(s.seed) + ". The run took " + format_seconds(r.seconds) + " (" +
           std::to_string(std::thread::hardware_concurrency()) + " CPU threads, float32).\n\n";
}

void print_summary(const OneshotResult& r, const Output& out) {
    std::printf("oneshot: %d-way one-shot, %lld filters, %d queries, T = %d, %d hyper-iterations (%s)\n",
                r.settings.ways, static_cast<long long>(r.settings.filters), r.settings.queries, r.settings.steps,
                r.settings.hyper_iterations, format_seconds(r.seconds).c_str());
    for (const OneshotRun& run : r.runs) {
        std::printf("  %-22s test %.1f%% +- %.1f  %s/it  peak %s  gamma %.3g  rho %s\n",
                    method(run, r.settings.steps).c_str(), 100 * run.test_accuracy, 100 * run.test_ci95,
                    format_seconds(run.seconds_per_iteration).c_str(),
                    format_bytes(static_cast<double>(run.peak_bytes)).c_str(), run.step_size, rho_text(run).c_str());
    }
    std::printf("  relative error decay rate per unit of K: regularised %.4g, rho = 0 %.4g\n",
                r.error_curve.rate_regularized, r.error_curve.rate_unregularized);
    std::printf("results in %s\n", out.dir().c_str());
}

Section oneshot_section(const OneshotSettings& settings, const Output& out) {
    const OneshotResult r = experiments::run_oneshot(settings, progress_on_stderr());
    const Table comparison = table4(r);
    const Table errors = error_table(r);
    for (const Table& t : {comparison, runs_table(r), history_table(r), accuracy_table(r), cosine_table(r), errors}) {
        out.write(t);
    }
    out.summary(summary_json(r));

    std::string md = introduction(r);
    md += "**Table 4** (" + std::to_string(r.settings.test_tasks) +
          " meta-test tasks; the interval is 1.96 standard errors over the tasks), beside the paper's 5000-"
          "hyper-iteration rows (Omniglot, 64 filters, 15 queries, T = 50, meta-batch 4, a GPU). Time is the "
          "wall time of one hyper-iteration (the meta-batch's hypergradients and the Adam update); peak bytes "
          "are `Report::peak_bytes` of one task's bilevel hypergradient (max over the run), beside the tape "
          "of blocks 1-2 that the chain rule uses.\n\n" +
          Output::markdown(comparison, 4);
    md += "**Fig. 7.** (1) accuracy on " + std::to_string(r.settings.eval_tasks) + " fixed meta-test tasks every " +
          std::to_string(r.settings.eval_every) +
          " hyper-iterations; (2) the outer loss f of each meta-batch, before its update; (3) the cosine between "
          "each K-RMD hypergradient and the full-RMD one at the same lambda on the same meta-batch (all of "
          "lambda flattened); (4) the relative error of the meta-batch's K-RMD hypergradient at " +
          r.error_curve.at + " on a fixed meta-batch of training tasks, with the regulariser and with rho = 0.\n\n";
    md += out.image(accuracy_figure(r));
    md += out.image(loss_figure(r));
    md += out.image(cosine_figure(r));
    md += out.image(error_figure(r));
    md += "Fig. 7 (4)'s numbers:\n\n" + Output::markdown(errors, 3);
    md += "Least-squares fit of log error against K over K < T: the error decays like exp(-rate K) with rate " +
          format_number(r.error_curve.rate_regularized, 3) + " per unit of K with the regulariser and " +
          format_number(r.error_curve.rate_unregularized, 3) +
          " with rho = 0 (the paper: exponential decay only with the regulariser). At K = T the error is 0: "
          "w_0 = c is read by the first step, so T-RMD is full RMD.\n\n";
    md += "Every number per method is in `runs.csv`; the curves in `fig7_*.csv`.\n\n";
    print_summary(r, out);
    return {"Shaban et al. Sec. 4.3: one-shot meta-learning (`hypertape oneshot`)", md};
}

}  // namespace

void add_oneshot_command(CLI::App& app) {
    auto given = std::make_shared<OneshotSettings>();
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "oneshot", "Shaban et al. Sec. 4.3 / App. G.3: one-shot meta-learning on Fashion-MNIST (Table 4, Fig. 7)");
    add_common_options(*sub, *common);
    CLI::Option* data =
        sub->add_option("--data", given->data_dir, "Fashion-MNIST folder (the idx .gz files)")->capture_default_str();
    CLI::Option* ways = sub->add_option("--ways", given->ways, "classes per task")->capture_default_str();
    CLI::Option* queries =
        sub->add_option("--queries", given->queries, "validation images per class (Q)")->capture_default_str();
    CLI::Option* filters =
        sub->add_option("--filters", given->filters, "filters of every convolution")->capture_default_str();
    CLI::Option* steps =
        sub->add_option("--steps", given->steps, "inner gradient-descent steps T")->capture_default_str();
    CLI::Option* batch =
        sub->add_option("--meta-batch", given->meta_batch, "tasks per hyper-iteration")->capture_default_str();
    CLI::Option* iterations =
        sub->add_option("--hyper-iterations", given->hyper_iterations, "hyper-iterations per method")
            ->capture_default_str();
    CLI::Option* truncations =
        sub->add_option("--truncations", given->truncations, "K of the K-RMD runs; K >= T is full RMD")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* rate = sub->add_option("--meta-learning-rate", given->meta_learning_rate, "Adam's learning rate")
                            ->capture_default_str();
    CLI::Option* gamma = sub->add_option("--initial-step-size", given->initial_step_size,
                                         "the inner step size gamma at the start (on the summed loss g_S)")
                             ->capture_default_str();
    CLI::Option* rho =
        sub->add_option("--initial-rho", given->initial_rho, "every regularisation weight rho_j at the start")
            ->capture_default_str();
    CLI::Option* eps = sub->add_option("--batch-norm-eps", given->batch_norm_eps, "batch norm's eps in every block")
                           ->capture_default_str();
    CLI::Option* test =
        sub->add_option("--test-tasks", given->test_tasks, "meta-test tasks of Table 4")->capture_default_str();
    CLI::Option* every = sub->add_option("--eval-every", given->eval_every,
                                         "Fig. 7 (1), (3): every this many hyper-iterations (0: start and end)")
                             ->capture_default_str();
    CLI::Option* eval_tasks =
        sub->add_option("--eval-tasks", given->eval_tasks, "Fig. 7 (1): meta-test tasks per evaluation")
            ->capture_default_str();
    CLI::Option* error_K = sub->add_option("--error-truncations", given->error_truncations, "Fig. 7 (4)'s K")
                               ->delimiter(',')
                               ->capture_default_str();
    CLI::Option* train_pool =
        sub->add_option("--train-pool", given->train_pool, "use the first n training images (0: all)")
            ->capture_default_str();
    CLI::Option* test_pool =
        sub->add_option("--test-pool", given->test_pool, "use the first n test images (0: all)")->capture_default_str();
    CLI::Option* seed = sub->add_option("--seed", given->seed, "seed of lambda_0 and the tasks")->capture_default_str();
    sub->callback([=] {
        OneshotSettings s = common->quick ? OneshotSettings::quick() : OneshotSettings{};
        take_if_given(data, s.data_dir, given->data_dir);
        take_if_given(ways, s.ways, given->ways);
        take_if_given(queries, s.queries, given->queries);
        take_if_given(filters, s.filters, given->filters);
        take_if_given(steps, s.steps, given->steps);
        take_if_given(batch, s.meta_batch, given->meta_batch);
        take_if_given(iterations, s.hyper_iterations, given->hyper_iterations);
        take_if_given(truncations, s.truncations, given->truncations);
        take_if_given(rate, s.meta_learning_rate, given->meta_learning_rate);
        take_if_given(gamma, s.initial_step_size, given->initial_step_size);
        take_if_given(rho, s.initial_rho, given->initial_rho);
        take_if_given(eps, s.batch_norm_eps, given->batch_norm_eps);
        take_if_given(test, s.test_tasks, given->test_tasks);
        take_if_given(every, s.eval_every, given->eval_every);
        take_if_given(eval_tasks, s.eval_tasks, given->eval_tasks);
        take_if_given(error_K, s.error_truncations, given->error_truncations);
        take_if_given(train_pool, s.train_pool, given->train_pool);
        take_if_given(test_pool, s.test_pool, given->test_pool);
        take_if_given(seed, s.seed, given->seed);
        const Output out = output_for(*common, "oneshot");
        out.report(oneshot_section(s, out));
    });
}

Section oneshot_quick_section(const Output& out) { return oneshot_section(OneshotSettings::quick(), out); }

}  // namespace hypertape::tools
