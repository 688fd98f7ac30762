#include "hypertape/experiments/equilibrium.hpp"

#include <lapacke.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/experiments/datasets.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/softmax.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {
namespace {

constexpr std::int64_t kPixels = 784;
constexpr std::int64_t kClasses = 10;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void validate(const EquilibriumSettings& s) {
    if (s.images <= 0 || s.images % 10 != 0)
        fail("equilibrium: images must be a positive multiple of 10, got ", s.images);
    if (s.test_images < 0) fail("equilibrium: test_images must be >= 0 (0: all), got ", s.test_images);
    if (s.hidden < 1) fail("equilibrium: hidden must be >= 1, got ", s.hidden);
    if (s.t < 1) fail("equilibrium: t must be >= 1, got ", s.t);
    if (s.k < 1) fail("equilibrium: k must be >= 1, got ", s.k);
    if (s.iterations < 0) fail("equilibrium: iterations must be >= 0, got ", s.iterations);
    if (s.seeds < 1) fail("equilibrium: seeds must be >= 1, got ", s.seeds);
    if (!(s.learning_rate > 0) || !std::isfinite(s.learning_rate)) {
        fail("equilibrium: learning_rate must be positive, got ", s.learning_rate);
    }
    if (!(s.momentum >= 0 && s.momentum < 1)) fail("equilibrium: momentum must be in [0, 1), got ", s.momentum);
    if (!(s.epsilon > 0 && s.epsilon < 1)) fail("equilibrium: epsilon must be in (0, 1), got ", s.epsilon);
    if (!(s.init_spectral >= 0) || !std::isfinite(s.init_spectral)) {
        fail("equilibrium: init_spectral must be >= 0, got ", s.init_spectral);
    }
    for (double rate : s.sweep_learning_rates) {
        if (!(rate > 0) || !std::isfinite(rate))
            fail("equilibrium: sweep_learning_rates holds ", rate, ", not positive");
    }
    if (s.variants.empty()) fail("equilibrium: variants is empty: name at least one of itd, fp, cg, itd*, fp*, cg*");
    if (!is_floating(s.dtype)) fail("equilibrium: dtype must be float32 or float64");
}

// The host copy of a matrix in float64, row-major, with its extents.
struct HostMatrix {
    int rows = 0, cols = 0;
    std::vector<double> values;
};

HostMatrix host_matrix(const Tensor& A, const char* who) {
    if (!A.defined() || A.rank() != 2 || !is_floating(A.dtype())) fail(who, ": A must be a floating matrix");
    if (A.numel() == 0) fail(who, ": A is empty");
    return {static_cast<int>(A.shape()[0]), static_cast<int>(A.shape()[1]), A.to_vector()};
}

// Singular values (descending) and, when wanted, the thin factors U [m, r] and V^T [r, n].
struct Svd {
    std::vector<double> s, u, vt;
};

Svd svd(HostMatrix a, bool factors, const char* who) {
    const int m = a.rows, n = a.cols, r = std::min(m, n);
    Svd out;
    out.s.resize(static_cast<std::size_t>(r));
    if (factors) {
        out.u.resize(static_cast<std::size_t>(m) * r);
        out.vt.resize(static_cast<std::size_t>(r) * n);
    }
    std::vector<double> superb(static_cast<std::size_t>(std::max(r - 1, 1)));
    const char job = factors ? 'S' : 'N';
    const lapack_int info =
        LAPACKE_dgesvd(LAPACK_ROW_MAJOR, job, job, m, n, a.values.data(), n, out.s.data(),
                       factors ? out.u.data() : nullptr, r, factors ? out.vt.data() : nullptr, n, superb.data());
    if (info != 0) fail(who, ": LAPACK dgesvd failed (info ", info, "): does A hold NaN or Inf?");
    return out;
}

// W after t fixed-point iterations from 0 on inputs X, as a constant (no tape).
Var fixed_point_features(const std::vector<Tensor>& lambda, const Tensor& X, int t) {
    const Var A(lambda[0]), B(lambda[1]), c(lambda[2]);
    const Var drive = matmul(Var(X), B, trans_b) + c;  // X B^T + c: the same at every iteration
    Var W(Tensor::zeros({X.shape()[0], A.shape()[0]}, lambda[0].dtype()));
    for (int i = 0; i < t; ++i) W = tanh(matmul(W, A, trans_b) + drive);
    return W;
}

// Nesterov momentum as torch.optim.SGD(nesterov=True): v <- mu v + g; lambda <- lambda - eta (g + mu v).
class Nesterov {
public:
    Nesterov(double learning_rate, double momentum) : eta_(learning_rate), mu_(momentum) {}

    void step(std::vector<Tensor>& lambda, const std::vector<Tensor>& g) {
        velocity_.resize(lambda.size());
        for (std::size_t i = 0; i < lambda.size(); ++i) {
            const Var v = velocity_[i].defined() ? mu_ * Var(velocity_[i]) + Var(g[i]) : Var(g[i]);
            velocity_[i] = v.value();
            lambda[i] = (Var(lambda[i]) - eta_ * (Var(g[i]) + mu_ * v)).value();
        }
    }

private:
    double eta_, mu_;
    std::vector<Tensor> velocity_;
};

// The median (NaN for none): robust to the bursts of a shared machine.
double median(std::vector<double> values) {
    if (values.empty()) return kNaN;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

double norm_of(const std::vector<Tensor>& tensors) {
    double squared = 0;
    for (const Tensor& x : tensors) {
        for (double v : x.to_vector()) squared += v * v;
    }
    return std::sqrt(squared);
}

bool all_finite(const std::vector<Tensor>& tensors) {
    return std::all_of(tensors.begin(), tensors.end(), [](const Tensor& x) { return x.all_finite(); });
}

// One seed's outer loop for one variant, filling column `seed` of the curve.
class SeedRun {
public:
    SeedRun(const EquilibriumSettings& s, const EquilibriumData& data, const Problem& problem, EquilibriumCurve& curve,
            int seed)
        : s_(s), data_(data), problem_(problem), curve_(curve), seed_(static_cast<std::size_t>(seed)) {}

    // Appends each hypergradient's seconds and (AID) final relative residual to `seconds` and `residuals`.
    void run(const Progress& progress, std::vector<double>& seconds, std::vector<double>& residuals) {
        std::vector<Tensor> lambda = equilibrium_init(s_, seed_);
        Nesterov optimizer(s_.learning_rate, s_.momentum);
        const Strategy strategy = equilibrium_strategy(curve_.variant.method, s_);
        char rate[32];
        std::snprintf(rate, sizeof rate, "%g", s_.learning_rate);
        const std::string stage = curve_.variant.name() + " at learning rate " + rate;
        const long long total = static_cast<long long>(s_.seeds) * s_.iterations;
        const long long before = static_cast<long long>(seed_) * s_.iterations;
        double elapsed = 0;
        for (int tau = 0; tau < s_.iterations; ++tau) {
            at(curve_.spectral_norm)[tau] = spectral_norm(lambda[0]);
            at(curve_.test_accuracy)[tau] = equilibrium_accuracy(lambda, data_.X_test, data_.y_test, s_.t);
            HypergradientResult r;
            try {
                r = hypergradient(problem_, lambda, strategy);
            } catch (const Error& e) {
                return diverge(tau, std::string("the hypergradient computation failed: ") + e.what());
            }
            const double norm = norm_of(r.values);
            if (!std::isfinite(norm) || !std::isfinite(r.outer_loss)) {
                return diverge(tau, "the hypergradient is NaN or Inf");
            }
            const double spent = r.report.forward_seconds + r.report.backward_seconds;
            elapsed += spent;
            seconds.push_back(spent);
            if (curve_.variant.method != EquilibriumMethod::itd)
                residuals.push_back(r.report.implicit_relative_residual);
            curve_.peak_bytes = std::max(curve_.peak_bytes, r.report.peak_bytes);
            at(curve_.objective)[tau] = r.outer_loss;
            at(curve_.hypergradient_norm)[tau] = norm;
            at(curve_.seconds)[tau] = elapsed;
            optimizer.step(lambda, r.values);
            progress(stage, before + tau + 1, total);
            if (!all_finite(lambda)) return diverge(tau + 1, "lambda became NaN or Inf");
            if (curve_.variant.projected) lambda[0] = project_singular_values(lambda[0], 1 - s_.epsilon);
        }
        curve_.final_test_accuracy[seed_] = equilibrium_accuracy(lambda, data_.X_test, data_.y_test, s_.t);
    }

private:
    std::vector<double>& at(std::vector<std::vector<double>>& table) { return table[seed_]; }

    // The seed's values from `tau` on stay NaN.
    void diverge(int tau, std::string why) {
        if (tau < s_.iterations) {
            for (auto* table : {&curve_.objective, &curve_.test_accuracy, &curve_.hypergradient_norm,
                                &curve_.spectral_norm, &curve_.seconds}) {
                std::fill(at(*table).begin() + tau, at(*table).end(), kNaN);
            }
        }
        curve_.diverged_at[seed_] = tau;
        curve_.divergence[seed_] = std::move(why);
    }

    const EquilibriumSettings& s_;
    const EquilibriumData& data_;
    const Problem& problem_;
    EquilibriumCurve& curve_;
    std::size_t seed_;
};

EquilibriumCurve run_variant(const EquilibriumSettings& s, const EquilibriumData& data, const Problem& problem,
                             const EquilibriumVariant& variant, const Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    EquilibriumCurve curve;
    curve.variant = variant;
    const std::vector<double> blank(static_cast<std::size_t>(s.iterations), kNaN);
    const auto seeds = static_cast<std::size_t>(s.seeds);
    for (auto* table :
         {&curve.objective, &curve.test_accuracy, &curve.hypergradient_norm, &curve.spectral_norm, &curve.seconds}) {
        table->assign(seeds, blank);
    }
    curve.diverged_at.assign(seeds, -1);
    curve.divergence.assign(seeds, "");
    curve.final_test_accuracy.assign(seeds, kNaN);
    std::vector<double> seconds, residuals;
    for (int seed = 0; seed < s.seeds; ++seed) SeedRun(s, data, problem, curve, seed).run(progress, seconds, residuals);
    curve.seconds_per_iteration = median(seconds);
    curve.implicit_residual = median(residuals);
    curve.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return curve;
}

}  // namespace

std::string EquilibriumVariant::name() const {
    const char* base = method == EquilibriumMethod::itd           ? "ITD"
                       : method == EquilibriumMethod::fixed_point ? "FP"
                                                                  : "CG";
    return std::string(base) + (projected ? "" : "*");
}

EquilibriumVariant parse_equilibrium_variant(const std::string& name) {
    std::string key;
    for (char ch : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const bool projected = key.empty() || key.back() != '*';
    if (!projected) key.pop_back();
    if (key == "itd") return {EquilibriumMethod::itd, projected};
    if (key == "fp") return {EquilibriumMethod::fixed_point, projected};
    if (key == "cg") return {EquilibriumMethod::cg_normal, projected};
    fail("equilibrium: unknown method '", name, "': use itd, fp, cg (projected) or itd*, fp*, cg* (unprojected)");
}

EquilibriumSettings EquilibriumSettings::quick() {
    EquilibriumSettings s;
    s.images = 1000;
    s.test_images = 2000;
    s.hidden = 50;
    s.iterations = 30;
    s.seeds = 2;
    s.sweep_learning_rates = {0.1, 0.3, 1.0};
    return s;
}

EquilibriumSettings EquilibriumSettings::tiny() {
    EquilibriumSettings s;
    s.images = 30;
    s.test_images = 50;
    s.hidden = 6;
    s.iterations = 3;
    s.seeds = 1;
    s.dtype = f64;
    s.sweep_learning_rates = {};
    return s;
}

EquilibriumData equilibrium_data(const EquilibriumSettings& settings) {
    validate(settings);
    const std::string dir = settings.data_dir.empty() ? default_fashion_mnist_dir() : settings.data_dir;
    // A pool of 20 n images holds about 2 n of each class, plenty for n / 10 each, and small n
    // (tests) then need not read (and decompress) all 60000.
    const std::int64_t pool = std::min<std::int64_t>(60000, 20 * settings.images);
    const FashionMnist d = load_fashion_mnist(dir, pool, settings.test_images);
    std::mt19937_64 rng(settings.data_seed);
    const LabelledImages train = split_class_balanced(d.train, settings.images, rng).first;
    return {train.X.to(settings.dtype), train.y(), d.test.X.to(settings.dtype), d.test.y()};
}

Problem equilibrium_problem(const EquilibriumData& data, const EquilibriumSettings& settings) {
    validate(settings);
    const std::int64_t n = data.X_train.shape()[0], h = settings.hidden;
    const DType dtype = data.X_train.dtype();
    Problem p;
    p.lambda_shapes = {{h, h}, {h, kPixels}, {h}, {kClasses, h}, {kClasses}};
    p.steps = settings.t;
    p.init = [n, h, dtype](const Hyperparameters&) { return State{Var(Tensor::zeros({n, h}, dtype))}; };
    const Tensor& X = data.X_train;
    p.step = [&X](const State& s, const Hyperparameters& lam, int) {
        return State{tanh(matmul(s[0], lam[0], trans_b) + matmul(X, lam[1], trans_b) + lam[2])};
    };
    const Tensor& y = data.y_train;
    p.outer = [&y](const State& s, const Hyperparameters& lam) {
        return cross_entropy(matmul(s[0], lam[3], trans_b) + lam[4], y);
    };
    return p;
}

std::vector<Tensor> equilibrium_init(const EquilibriumSettings& settings, std::uint64_t seed) {
    validate(settings);
    const std::int64_t h = settings.hidden;
    const DType dtype = settings.dtype;
    std::mt19937_64 rng(seed);
    // An h x h Gaussian matrix of entry deviation sigma has spectral norm about 2 sigma sqrt(h).
    const double sigma_A = settings.init_spectral / (2 * std::sqrt(static_cast<double>(h)));
    const Tensor A = (Var(Tensor::randn({h, h}, rng, dtype)) * sigma_A).value();
    const Tensor B = (Var(Tensor::randn({h, kPixels}, rng, dtype)) * (1 / std::sqrt(double(kPixels)))).value();
    const Tensor V = (Var(Tensor::randn({kClasses, h}, rng, dtype)) * (1 / std::sqrt(double(h)))).value();
    return {A, B, Tensor::zeros({h}, dtype), V, Tensor::zeros({kClasses}, dtype)};
}

Strategy equilibrium_strategy(EquilibriumMethod method, const EquilibriumSettings& settings) {
    switch (method) {
        case EquilibriumMethod::fixed_point:
            return Implicit::fixed_point(settings.k);
        case EquilibriumMethod::cg_normal:
            return Implicit::cg_normal(settings.k);
        case EquilibriumMethod::itd:
            break;
    }
    return Reverse{};
}

double equilibrium_accuracy(const std::vector<Tensor>& lambda, const Tensor& X, const Tensor& y, int t) {
    if (lambda.size() != 5)
        fail("equilibrium_accuracy: lambda must hold the 5 tensors A, B, c, V, b, got ", lambda.size());
    const Var W = fixed_point_features(lambda, X, t);
    const std::vector<double> logits = (matmul(W, Var(lambda[3]), trans_b) + Var(lambda[4])).value().to_vector();
    const std::vector<double> labels = y.to_vector();
    const std::size_t classes = static_cast<std::size_t>(lambda[3].shape()[0]);
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto row = logits.begin() + static_cast<std::ptrdiff_t>(i * classes);
        const auto best = std::max_element(row, row + static_cast<std::ptrdiff_t>(classes)) - row;
        right += static_cast<double>(best) == labels[i] ? 1 : 0;
    }
    return labels.empty() ? kNaN : static_cast<double>(right) / static_cast<double>(labels.size());
}

double spectral_norm(const Tensor& A) { return svd(host_matrix(A, "spectral_norm"), false, "spectral_norm").s.front(); }

Tensor project_singular_values(const Tensor& A, double max_singular) {
    if (!(max_singular >= 0)) fail("project_singular_values: max_singular must be >= 0, got ", max_singular);
    const HostMatrix a = host_matrix(A, "project_singular_values");
    const Svd d = svd(a, true, "project_singular_values");
    if (d.s.front() <= max_singular) return A;
    const int m = a.rows, n = a.cols, r = std::min(m, n);
    std::vector<double> out(static_cast<std::size_t>(m) * n, 0.0);
    for (int l = 0; l < r; ++l) {
        const double s = std::min(d.s[static_cast<std::size_t>(l)], max_singular);
        for (int i = 0; i < m; ++i) {
            const double us = d.u[static_cast<std::size_t>(i) * r + l] * s;
            for (int j = 0; j < n; ++j)
                out[static_cast<std::size_t>(i) * n + j] += us * d.vt[static_cast<std::size_t>(l) * n + j];
        }
    }
    return Tensor::from_vector(out, A.shape(), A.dtype());
}

EquilibriumResult run_equilibrium(const EquilibriumSettings& settings, const Progress& progress) {
    validate(settings);
    const EquilibriumData data = equilibrium_data(settings);
    const Problem problem = equilibrium_problem(data, settings);
    EquilibriumResult result;
    result.train_images = data.X_train.shape()[0];
    result.test_images = data.X_test.shape()[0];
    const auto run_all = [&](const EquilibriumSettings& s) {
        std::vector<EquilibriumCurve> curves;
        for (const EquilibriumVariant& v : s.variants) curves.push_back(run_variant(s, data, problem, v, progress));
        return curves;
    };
    result.curves = run_all(settings);
    for (double rate : settings.sweep_learning_rates) {
        EquilibriumSettings at_rate = settings;
        at_rate.learning_rate = rate;
        result.sweep.push_back({rate, rate == settings.learning_rate ? result.curves : run_all(at_rate)});
    }
    return result;
}

}  // namespace hypertape::experiments
