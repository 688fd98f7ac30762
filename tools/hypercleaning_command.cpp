// `hypertape hypercleaning`: Shaban et al. (2019) Sec. 4.2.1 and App. G.1, data hypercleaning
// (Table 2, Fig. 5), on Fashion-MNIST through experiments/hypercleaning.hpp. The report sets the
// measured table beside the paper's Table 2 (MNIST) and App. G.1's threshold table, and draws
// Fig. 5 (the true hypergradient norm at the K-RMD iterates).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "hypertape/experiments/hypercleaning.hpp"

namespace hypertape::tools {
namespace {

using experiments::F1Score;
using experiments::HypercleaningResult;
using experiments::HypercleaningRun;
using experiments::HypercleaningSettings;
using experiments::StepSizeTrial;

// Table 2 of the paper: MNIST, T = 100, 1000 hyper-iterations (accuracies in %).
struct PaperRow {
    int K;
    double test_accuracy, validation_accuracy, validation_loss, f1;
};
constexpr PaperRow kTable2[] = {{1, 87.50, 89.32, 0.413, 0.85},
                                {5, 88.05, 89.90, 0.383, 0.89},
                                {25, 88.12, 89.94, 0.382, 0.89},
                                {50, 88.17, 90.18, 0.381, 0.89},
                                {100, 88.33, 90.24, 0.380, 0.88}};
constexpr int kPaperSteps = 100;

// App. G.1's threshold table: F1 after 150 hyper-iterations at lambda_i < -4, -3, -1.
struct PaperThresholdRow {
    int K;
    double below_minus_4, below_minus_3, below_minus_1;
};
constexpr PaperThresholdRow kThresholdTable[] = {{1, 0.84, 0.84, 0.84},
                                                 {5, 0.89, 0.89, 0.90},
                                                 {25, 0.89, 0.89, 0.89},
                                                 {50, 0.89, 0.89, 0.89},
                                                 {100, 0.89, 0.89, 0.89}};

std::string method(const HypercleaningRun& run, int steps) {
    return run.full ? "full RMD (K = T = " + std::to_string(steps) + ")" : std::to_string(run.K) + "-RMD";
}

// The paper's row for a run: the same K, or its full-RMD row (K = T = 100) for a full run.
template <class Row, std::size_t N>
std::optional<Row> paper_row(const Row (&rows)[N], const HypercleaningRun& run) {
    const int K = run.full ? kPaperSteps : run.K;
    for (const Row& row : rows) {
        if (row.K == K) return row;
    }
    return std::nullopt;
}

// The paper's number as it prints it (87.50, 0.413), or "-" where it has no row for this K.
Cell paper_cell(const std::optional<PaperRow>& row, double PaperRow::*field, int decimals) {
    if (!row) return std::string("-");
    return format_fixed((*row).*field, decimals);
}

const HypercleaningRun* full_run(const HypercleaningResult& r) {
    for (const HypercleaningRun& run : r.runs) {
        if (run.full) return &run;
    }
    return nullptr;
}

const HypercleaningRun* run_with_K(const HypercleaningResult& r, int K) {
    for (const HypercleaningRun& run : r.runs) {
        if (run.K == K && !run.full) return &run;
    }
    return nullptr;
}

// ---- tables ----

Table table2(const HypercleaningResult& r) {
    const std::string f1 = "F1 (lambda < " + format_number(r.settings.threshold) + ")";
    Table t{"table2",
            {"method", "test acc. %", "paper", "val. acc. %", "paper", "val. loss", "paper", f1, "paper", "AUC",
             "time / hyper-iteration", "peak bytes"},
            {}};
    for (const HypercleaningRun& run : r.runs) {
        const std::optional<PaperRow> paper = paper_row(kTable2, run);
        t.add({method(run, r.settings.steps), format_fixed(100 * run.test_accuracy, 2),
               paper_cell(paper, &PaperRow::test_accuracy, 2), format_fixed(100 * run.validation_accuracy, 2),
               paper_cell(paper, &PaperRow::validation_accuracy, 2), format_fixed(run.validation_loss, 3),
               paper_cell(paper, &PaperRow::validation_loss, 3), format_fixed(run.cleaner.f1, 2),
               paper_cell(paper, &PaperRow::f1, 2), format_fixed(run.auc, 3), format_seconds(run.seconds_per_iteration),
               format_bytes(static_cast<double>(run.peak_bytes))});
    }
    return t;
}

// Every measured number per K, unrounded.
Table runs_table(const HypercleaningResult& r) {
    Table t{"runs",
            {"K", "full RMD", "eta_0", "test accuracy", "validation accuracy", "validation loss", "F1", "precision",
             "recall", "marked", "AUC", "seconds per hyper-iteration", "peak bytes", "step evaluations",
             "initial |d f|", "final |d f|"},
            {}};
    for (const HypercleaningRun& run : r.runs) {
        t.add({static_cast<long long>(run.K), run.full ? "yes" : "no", run.eta0, run.test_accuracy,
               run.validation_accuracy, run.validation_loss, run.cleaner.f1, run.cleaner.precision, run.cleaner.recall,
               run.cleaner.marked, run.auc, run.seconds_per_iteration, static_cast<long long>(run.peak_bytes),
               run.step_evaluations, run.true_gradient_norms.front(), run.true_gradient_norms.back()});
    }
    return t;
}

// F1 at every threshold, at one hyper-iteration (early or final), beside App. G.1's numbers.
Table thresholds_table(const HypercleaningResult& r, bool early) {
    Table t{early ? "thresholds_early" : "thresholds_final", {"method"}, {}};
    for (double threshold : r.settings.thresholds) t.columns.push_back("lambda < " + format_number(threshold));
    t.columns.insert(t.columns.end(), {"paper: < -4", "paper: < -3", "paper: < -1"});
    for (const HypercleaningRun& run : r.runs) {
        std::vector<Cell> row{method(run, r.settings.steps)};
        for (const F1Score& score : early ? run.early_f1_at_thresholds : run.f1_at_thresholds) {
            row.emplace_back(format_fixed(score.f1, 2));
        }
        const std::optional<PaperThresholdRow> paper = paper_row(kThresholdTable, run);
        for (double PaperThresholdRow::*field : {&PaperThresholdRow::below_minus_4, &PaperThresholdRow::below_minus_3,
                                                 &PaperThresholdRow::below_minus_1}) {
            row.emplace_back(paper ? format_fixed((*paper).*field, 2) : std::string("-"));
        }
        t.add(std::move(row));
    }
    return t;
}

Table probe_table(const HypercleaningResult& r) {
    Table t{"step_size_probe",
            {"gamma (on the sum g)", "gamma n (on the mean)", "gamma L", "g(W_0)", "g at the last step run",
             "steps run", "g decreased at every step", "stable"},
            {}};
    for (const StepSizeTrial& trial : r.step_size_trials) {
        t.add({trial.step_size, trial.step_size * static_cast<double>(r.train), trial.step_size * r.initial_curvature,
               trial.first_loss, trial.last_loss, static_cast<long long>(trial.steps_run),
               trial.decreasing ? "yes" : "no", trial.stable ? "yes" : "no"});
    }
    return t;
}

Table true_gradient_table(const HypercleaningResult& r) {
    Table t{"fig5_true_hypergradient_norm", {"K", "full RMD", "hyper-iteration", "|d_lambda f|"}, {}};
    for (const HypercleaningRun& run : r.runs) {
        for (std::size_t i = 0; i < run.true_gradient_norms.size(); ++i) {
            t.add({static_cast<long long>(run.K), run.full ? "yes" : "no",
                   static_cast<long long>(run.true_gradient_iterations[i]), run.true_gradient_norms[i]});
        }
    }
    return t;
}

Table history_table(const HypercleaningResult& r) {
    Table t{"history", {"K", "hyper-iteration", "validation loss (before the update)", "F1 (after the update)"}, {}};
    for (const HypercleaningRun& run : r.runs) {
        for (std::size_t i = 0; i < run.validation_losses.size(); ++i) {
            t.add({static_cast<long long>(run.K), static_cast<long long>(i + 1), run.validation_losses[i],
                   run.f1_history[i]});
        }
    }
    return t;
}

// ---- figures ----

Figure true_gradient_figure(const HypercleaningResult& r) {
    Figure f{"fig5_true_hypergradient_norm",
             "Fig. 5: |d_lambda f| (full RMD) at the K-RMD iterates",
             "hyper-iteration",
             "|d_lambda f|",
             false,
             true,
             {}};
    for (const HypercleaningRun& run : r.runs) {
        Series s{method(run, r.settings.steps), {}, run.true_gradient_norms, {}, {}, "linespoints"};
        s.x.assign(run.true_gradient_iterations.begin(), run.true_gradient_iterations.end());
        f.series.push_back(std::move(s));
    }
    return f;
}

Figure history_figure(const HypercleaningResult& r, bool loss) {
    Figure f{loss ? "validation_loss" : "f1_history",
             loss ? "Validation loss f(lambda_tau) against hyper-iteration"
                  : "F1 of the cleaner (lambda < " + format_number(r.settings.threshold) + ") against hyper-iteration",
             "hyper-iteration",
             loss ? "validation loss" : "F1",
             false,
             loss,
             {}};
    for (const HypercleaningRun& run : r.runs) {
        Series s{method(run, r.settings.steps), {}, loss ? run.validation_losses : run.f1_history, {}, {}, "lines"};
        for (std::size_t i = 0; i < s.y.size(); ++i) s.x.push_back(static_cast<double>(i + 1));
        f.series.push_back(std::move(s));
    }
    return f;
}

// ---- the report ----

// "1-RMD: x, 5-RMD: y, ..." for one number of each run.
template <class Value>
std::string per_run(const HypercleaningResult& r, Value value) {
    std::string text;
    for (const HypercleaningRun& run : r.runs) {
        text += (text.empty() ? "" : ", ") + method(run, r.settings.steps) + ": " + value(run);
    }
    return text;
}

// The paper's claims (Sec. 4.2.1, App. G.1) beside what this run measured.
Table claims_table(const HypercleaningResult& r) {
    Table t{"claims", {"Shaban et al. (2019)", "measured here"}, {}};
    t.add({"Table 2: 1-RMD is somewhat worse than the others",
           "test acc. % " +
               per_run(r, [](const HypercleaningRun& k) { return format_fixed(100 * k.test_accuracy, 2); }) + "; F1 " +
               per_run(r, [](const HypercleaningRun& k) { return format_fixed(k.cleaner.f1, 2); })});
    t.add({"Table 2: the validation loss (the outer objective) decreases with K",
           per_run(r, [](const HypercleaningRun& k) { return format_fixed(k.validation_loss, 4); })});
    const HypercleaningRun* full = full_run(r);
    const HypercleaningRun* five = run_with_K(r, 5);
    const HypercleaningRun* one = run_with_K(r, 1);
    if (full != nullptr && five != nullptr) {
        t.add({"Sec. 4.2.1: 5-RMD runs about twice as fast as full RMD",
               "time per hyper-iteration, full / 5-RMD: " +
                   format_number(full->seconds_per_iteration / five->seconds_per_iteration)});
    }
    if (full != nullptr && one != nullptr) {
        t.add({"Sec. 4.2.1: K-RMD for small K needs far less memory",
               "peak bytes, full / 1-RMD: " +
                   format_number(static_cast<double>(full->peak_bytes) / static_cast<double>(one->peak_bytes)) + " (" +
                   format_bytes(static_cast<double>(full->peak_bytes)) + " / " +
                   format_bytes(static_cast<double>(one->peak_bytes)) +
                   "; most of 1-RMD's peak is the training and validation images, which the matmul records save "
                   "and every K holds)"});
    }
    t.add({"Fig. 5: biased convergence; the limit of |d_lambda f| decreases slowly with K",
           "|d_lambda f| at the last iterate: " +
               per_run(r, [](const HypercleaningRun& k) { return format_number(k.true_gradient_norms.back()); })});
    t.add({"App. G.1: F1 is not sensitive to the threshold",
           "F1 range over thresholds " + format_number(r.settings.thresholds.front()) + " .. " +
               format_number(r.settings.thresholds.back()) + " after " +
               std::to_string(r.runs.front().early_iteration) +
               " hyper-iterations: " + per_run(r, [](const HypercleaningRun& k) {
                   double low = 1, high = 0;
                   for (const F1Score& s : k.early_f1_at_thresholds) {
                       low = std::min(low, s.f1);
                       high = std::max(high, s.f1);
                   }
                   return format_fixed(low, 2) + " .. " + format_fixed(high, 2);
               })});
    return t;
}

std::string introduction(const HypercleaningResult& r) {
    const HypercleaningSettings& s = r.settings;
    const double gamma = s.step_size;
    std::string md =
        "Data hypercleaning (Shaban et al. 2019, Sec. 4.2.1 and App. G.1): a linear classifier W [10, 785] is "
        "trained by T = " +
        std::to_string(s.steps) +
        " steps of gradient descent from W_0 = 0 on g(W, lambda) = sum_i -sigmoid(lambda_i) log softmax(W x_i)_{y_i} "
        "+ " +
        format_number(s.regularization) +
        " \\|W\\|_F^2 (the paper's sum over the training images), and the per-example weights lambda minimise the "
        "mean cross-entropy on clean validation images, by Adam on the K-step truncated hypergradient h_{T-K} "
        "(`Truncated{K}`; full RMD is `Reverse{}`), " +
        std::to_string(s.hyper_iterations) + " hyper-iterations from lambda = 0 for K = " + format_list(s.truncations) +
        ". Every hyper-iteration restarts the inner loop at W_0 = 0 (no warm start, as in the paper).\n\n"
        "**Data: Fashion-MNIST in place of MNIST**, which Debian does not package (`dataset-fashion-mnist`: 28x28 "
        "images in 10 classes, pixels in [0, 1], a bias column appended). " +
        std::to_string(r.train) + " class-balanced training images, " + std::to_string(r.replaced) +
        " of whose labels were redrawn uniformly at random (probability " + format_number(s.split.corruption) + "); " +
        std::to_string(r.corrupted) +
        " of them now differ from the truth and are the corrupted examples the F1 score counts (a redrawn label "
        "equal to the true one is not corrupted). " +
        std::to_string(r.validation) + " class-balanced clean validation images; " + std::to_string(r.test) +
        " test images. The paper's test set is \"the remaining examples\"; like Franceschi et al.'s code, which "
        "pools MNIST's 70000 images, the training, validation and test images are drawn from Fashion-MNIST's "
        "60000 training and 10000 test images pooled" +
        (s.split.test > 0 || s.split.pool > 0 ? " (this run's test set is a random subset of the rest)" : "") +
        ". Seed " + std::to_string(s.split.seed) + ".\n\n";
    md += "**The inner step size.** ";
    if (r.step_size_trials.empty()) {
        md += "gamma = " + format_number(gamma) + " on the sum g (given), i.e. " +
              format_number(gamma * static_cast<double>(r.train)) +
              " on the mean loss; gamma L = " + format_number(gamma * r.initial_curvature) + ".";
    } else {
        md += "The paper's gamma = 1 on the sum g diverges here: g grows " +
              format_number(r.step_size_trials.front().last_loss / r.step_size_trials.front().first_loss) +
              "-fold in the first step (table below). The sum's curvature grows with the number of images: at W_0 the "
              "largest eigenvalue of g's Hessian (every weight 1) is L = " +
              format_number(r.initial_curvature) + ", i.e. " +
              format_number(r.initial_curvature / static_cast<double>(r.train)) +
              " per image, so even gamma = 1 on the MEAN loss (the library's `cross_entropy`; likely what the "
              "paper ran on MNIST, whose darker images have a smaller L) is above 2 / L per image. The largest "
              "stable gamma was measured: halving from 1 until g, with every weight at its largest (1), decreased "
              "at each of the T steps and gamma L < 2. That is gamma = " +
              format_number(gamma) + " on the sum (" + format_number(gamma * static_cast<double>(r.train)) +
              " on the mean), gamma L = " + format_number(gamma * r.initial_curvature) +
              ". With so small a step, T steps leave the inner problem far from converged (a plain model, "
              "lambda = 0, reaches validation loss " +
              format_fixed(r.runs.front().validation_losses.front(), 3) +
              " after T steps), so the absolute accuracies stay well below the paper's; the comparison across K is "
              "the point.";
    }
    md +=
        "\n\n**Outer optimizer.** Adam with eta_0 set per K so that the first update has the same norm for every K "
        "(App. G.1): Adam's first update is eta_0 h / (|h| + epsilon) entrywise, whatever the scale of h, so "
        "eta_0 = " +
        format_number(s.initial_update_rms) +
        " (root-mean-square first update) for every K unless some entries of h are exactly 0 (eta_0 per K: " +
        per_run(r, [](const HypercleaningRun& k) { return format_number(k.eta0, 4); }) +
        "). The cleaner marks example i as corrupted when lambda_i < " + format_number(s.threshold) +
        " (the paper's threshold); AUC is the area under the ROC curve of -lambda against the true corruption "
        "(0.5 is chance), a threshold-free measure of the same ranking. Time per hyper-iteration is the "
        "hypergradient's (forward and backward; the Adam update and Fig. 5's extra evaluations excluded); peak "
        "bytes is `Report::peak_bytes` (tape, exact). Fig. 5's true |d_lambda f| is a full-RMD hypergradient at "
        "lambda_tau every " +
        std::to_string(s.true_gradient_every) + " hyper-iterations. The run took " + format_seconds(r.seconds) + " (" +
        std::to_string(std::thread::hardware_concurrency()) + " CPU threads, float32).\n\n";
    return md;
}

nlohmann::json summary_json(const HypercleaningResult& r) {
    const HypercleaningSettings& s = r.settings;
    nlohmann::json j;
    j["settings"] = {{"data_dir", s.data_dir},
                     {"train", r.train},
                     {"validation", r.validation},
                     {"test", r.test},
                     {"corruption", s.split.corruption},
                     {"seed", s.split.seed},
                     {"steps", s.steps},
                     {"step_size", s.step_size},
                     {"regularization", s.regularization},
                     {"hyper_iterations", s.hyper_iterations},
                     {"truncations", s.truncations},
                     {"initial_update_rms", s.initial_update_rms},
                     {"true_gradient_every", s.true_gradient_every},
                     {"threshold", s.threshold},
                     {"thresholds", s.thresholds}};
    j["corrupted"] = r.corrupted;
    j["replaced"] = r.replaced;
    j["initial_curvature"] = r.initial_curvature;
    j["seconds"] = r.seconds;
    nlohmann::json runs = nlohmann::json::array();
    for (const HypercleaningRun& run : r.runs) {
        nlohmann::json thresholds = nlohmann::json::object();
        for (std::size_t i = 0; i < s.thresholds.size(); ++i) {
            thresholds[format_number(s.thresholds[i])] = {{"early", run.early_f1_at_thresholds[i].f1},
                                                          {"final", run.f1_at_thresholds[i].f1}};
        }
        runs.push_back({{"K", run.K},
                        {"full", run.full},
                        {"eta_0", run.eta0},
                        {"test_accuracy", run.test_accuracy},
                        {"validation_accuracy", run.validation_accuracy},
                        {"validation_loss", run.validation_loss},
                        {"f1", run.cleaner.f1},
                        {"precision", run.cleaner.precision},
                        {"recall", run.cleaner.recall},
                        {"auc", run.auc},
                        {"f1_at_thresholds", thresholds},
                        {"early_iteration", run.early_iteration},
                        {"seconds_per_iteration", run.seconds_per_iteration},
                        {"peak_bytes", run.peak_bytes},
                        {"final_true_hypergradient_norm", run.true_gradient_norms.back()}});
    }
    j["runs"] = runs;
    return j;
}

void print_summary(const HypercleaningResult& r, const Output& out) {
    std::printf(
        "hypercleaning: %lld train (%lld corrupted) / %lld validation / %lld test, T = %d, gamma = %g, %d "
        "hyper-iterations (%s)\n",
        static_cast<long long>(r.train), static_cast<long long>(r.corrupted), static_cast<long long>(r.validation),
        static_cast<long long>(r.test), r.settings.steps, r.settings.step_size, r.settings.hyper_iterations,
        format_seconds(r.seconds).c_str());
    for (const HypercleaningRun& run : r.runs) {
        std::printf("  %-24s test %.2f%%  val %.2f%%  val loss %.4f  F1 %.2f  AUC %.3f  %s/it  peak %s\n",
                    method(run, r.settings.steps).c_str(), 100 * run.test_accuracy, 100 * run.validation_accuracy,
                    run.validation_loss, run.cleaner.f1, run.auc, format_seconds(run.seconds_per_iteration).c_str(),
                    format_bytes(static_cast<double>(run.peak_bytes)).c_str());
    }
    std::printf("results in %s\n", out.dir().c_str());
}

Section hypercleaning_section(const HypercleaningSettings& settings, const Output& out) {
    const HypercleaningResult r = experiments::run_hypercleaning(settings, progress_on_stderr());
    const Table comparison = table2(r);
    const Table early = thresholds_table(r, true);
    const Table final_thresholds = thresholds_table(r, false);
    const Table probe = probe_table(r);
    const Table claims = claims_table(r);
    for (const Table& t : {comparison, runs_table(r), early, final_thresholds, probe, claims, true_gradient_table(r),
                           history_table(r)}) {
        out.write(t);
    }
    out.summary(summary_json(r));

    std::string md = introduction(r);
    if (!r.step_size_trials.empty())
        md += "The step-size probe (`step_size_probe.csv`):\n\n" + Output::markdown(probe, 4);
    md += "**Table 2** after " + std::to_string(r.settings.hyper_iterations) +
          " hyper-iterations, beside the paper's (MNIST, T = 100, 1000 hyper-iterations; its full-RMD row is K = "
          "100; the paper reports no AUC, time or memory). MNIST is not available here: the paper's columns are "
          "for MNIST, ours for Fashion-MNIST" +
          (r.settings.steps != kPaperSteps || r.train != 5000 || r.settings.hyper_iterations != 1000
               ? ", and at a smaller size than the paper's"
               : "") +
          ".\n\n" + Output::markdown(comparison, 4);
    md += "**The paper's claims beside the measured numbers:**\n\n" + Output::markdown(claims, 4);
    md += "**App. G.1's threshold table**: F1 of the cleaner at several thresholds after " +
          std::to_string(r.runs.front().early_iteration) +
          " hyper-iterations (the paper ran these for 150 hyper-iterations; its numbers, for thresholds -4, -3 and "
          "-1, are in our copy of the paper, displaced by the text conversion into App. F):\n\n" +
          Output::markdown(early, 4);
    if (r.runs.front().early_iteration < r.settings.hyper_iterations) {
        md += "The same after all " + std::to_string(r.settings.hyper_iterations) + " hyper-iterations:\n\n" +
              Output::markdown(final_thresholds, 4);
    }
    md +=
        "**Fig. 5**: the norm of the true hypergradient d_lambda f (full RMD) at the K-RMD iterates lambda_tau, "
        "log scale. The paper's plot is not in our copy of the paper (only its caption and the text: K-RMD "
        "converges with a bias, the limit of \\|d_lambda f\\| decreasing slowly with K).\n\n";
    md += out.image(true_gradient_figure(r));
    md += out.image(history_figure(r, true));
    // An F1 that is 0 throughout (lambda never crossed the threshold) leaves gnuplot no range to draw.
    const bool any_f1 = std::any_of(r.runs.begin(), r.runs.end(), [](const HypercleaningRun& run) {
        return std::any_of(run.f1_history.begin(), run.f1_history.end(), [](double f1) { return f1 > 0; });
    });
    md += any_f1 ? out.image(history_figure(r, false))
                 : "No lambda_i crossed the threshold " + format_number(r.settings.threshold) + " in " +
                       std::to_string(r.settings.hyper_iterations) + " hyper-iterations: F1 is 0 throughout.\n\n";
    md +=
        "Every number per K is in `runs.csv`, Fig. 5's points in `fig5_true_hypergradient_norm.csv`, the "
        "validation loss and F1 at every hyper-iteration in `history.csv`.\n\n";
    print_summary(r, out);
    return {"Shaban et al. Sec. 4.2.1: data hypercleaning (`hypertape hypercleaning`)", md};
}

}  // namespace

void add_hypercleaning_command(CLI::App& app) {
    auto given = std::make_shared<HypercleaningSettings>();
    auto common = std::make_shared<CommonOptions>();
    CLI::App* sub = app.add_subcommand(
        "hypercleaning",
        "Shaban et al. Sec. 4.2.1 / App. G.1: data hypercleaning on Fashion-MNIST with K-RMD (Table 2, Fig. 5)");
    add_common_options(*sub, *common);
    CLI::Option* data =
        sub->add_option("--data", given->data_dir, "Fashion-MNIST folder (the idx .gz files)")->capture_default_str();
    CLI::Option* train =
        sub->add_option("--train", given->split.train, "class-balanced training images (labels corrupted)")
            ->capture_default_str();
    CLI::Option* validation =
        sub->add_option("--validation", given->split.validation, "class-balanced clean validation images")
            ->capture_default_str();
    CLI::Option* test =
        sub->add_option("--test", given->split.test, "test images (0: all the rest)")->capture_default_str();
    CLI::Option* steps =
        sub->add_option("--steps", given->steps, "inner gradient-descent steps T")->capture_default_str();
    CLI::Option* step_size =
        sub->add_option("--step-size", given->step_size,
                        "inner step size gamma on the summed loss g (0: the largest stable one, probed)")
            ->capture_default_str();
    CLI::Option* iterations =
        sub->add_option("--hyper-iterations", given->hyper_iterations, "Adam hyper-iterations per K")
            ->capture_default_str();
    CLI::Option* truncations =
        sub->add_option("--truncations", given->truncations, "K of the K-RMD runs; K >= T is full RMD")
            ->delimiter(',')
            ->capture_default_str();
    CLI::Option* seed =
        sub->add_option("--seed", given->split.seed, "seed of the split and the corruption")->capture_default_str();
    CLI::Option* rms = sub->add_option("--initial-update-rms", given->initial_update_rms,
                                       "root-mean-square entry of each K's first Adam update (sets eta_0)")
                           ->capture_default_str();
    CLI::Option* every = sub->add_option("--true-gradient-every", given->true_gradient_every,
                                         "Fig. 5: the full-RMD |d f| every this many hyper-iterations (0: start, end)")
                             ->capture_default_str();
    sub->callback([=] {
        HypercleaningSettings s = common->quick ? HypercleaningSettings::quick() : HypercleaningSettings{};
        take_if_given(data, s.data_dir, given->data_dir);
        take_if_given(train, s.split.train, given->split.train);
        take_if_given(validation, s.split.validation, given->split.validation);
        take_if_given(test, s.split.test, given->split.test);
        take_if_given(steps, s.steps, given->steps);
        take_if_given(step_size, s.step_size, given->step_size);
        take_if_given(iterations, s.hyper_iterations, given->hyper_iterations);
        take_if_given(truncations, s.truncations, given->truncations);
        take_if_given(seed, s.split.seed, given->split.seed);
        take_if_given(rms, s.initial_update_rms, given->initial_update_rms);
        take_if_given(every, s.true_gradient_every, given->true_gradient_every);
        const Output out = output_for(*common, "hypercleaning");
        out.report(hypercleaning_section(s, out));
    });
}

Section hypercleaning_quick_section(const Output& out) {
    return hypercleaning_section(HypercleaningSettings::quick(), out);
}

}  // namespace hypertape::tools
