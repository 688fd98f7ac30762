#include "hypertape/experiments/oneshot.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/conv.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/norm.hpp"
#include "hypertape/ops/pool.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/softmax.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape.hpp"

namespace hypertape::experiments {
namespace {

constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kKernel = 3;
constexpr std::int64_t kLayers = 3;  // the regularised layers of w: block 3, block 4, linear

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Reads consecutive parameters out of a flat vector: each take() is a slice reshaped.
class Cursor {
public:
    explicit Cursor(const Var& flat) : flat_(flat) {}
    Var take(const Shape& shape) {
        const std::int64_t n = shape.numel();
        const Var part = reshape(slice(flat_, 0, offset_, offset_ + n), shape);
        offset_ += n;
        return part;
    }

private:
    const Var& flat_;
    std::int64_t offset_ = 0;
};

std::int64_t block_size(std::int64_t in, std::int64_t filters) {
    return filters * in * kKernel * kKernel + 3 * filters;  // conv weight and bias, batch-norm scale and shift
}

// conv 3x3 (padding 1) -> max_pool2d(2) -> batch_norm -> relu.
Var block(const Var& x, Cursor& cursor, std::int64_t in, std::int64_t filters, double eps) {
    const Var weight = cursor.take({filters, in, kKernel, kKernel});
    const Var bias = cursor.take({filters});
    const Var scale = cursor.take({filters});
    const Var shift = cursor.take({filters});
    return relu(batch_norm(max_pool2d(conv2d(x, weight, bias, 1, 1), 2), scale, shift, eps));
}

void check_positive(const char* name, double value) {
    if (!(value > 0) || !std::isfinite(value)) fail("oneshot: ", name, " = ", value, " must be positive and finite");
}

void check_layout(const OneshotLayout& layout) {
    if (layout.channels < 1) fail("oneshot: channels = ", layout.channels, " must be >= 1");
    if (layout.filters < 1) fail("oneshot: filters = ", layout.filters, " must be >= 1");
    if (layout.image < 16) fail("oneshot: image = ", layout.image, " must be >= 16 (four 2x2 poolings)");
    if (layout.ways < 2 || layout.ways > kClasses) {
        fail("oneshot: ways = ", layout.ways, " must lie in [2, ", kClasses, "]");
    }
    check_positive("batch_norm_eps", layout.batch_norm_eps);
}

// The network a run of these settings trains: one channel of 28x28 images.
OneshotLayout layout_of(const OneshotSettings& s) { return {1, s.filters, 28, s.ways, s.batch_norm_eps}; }

// Adam on every tensor of the parameter lists (Kingma and Ba, with bias correction).
class MetaAdam {
public:
    explicit MetaAdam(double learning_rate) : learning_rate_(learning_rate) {}

    void update(std::vector<Tensor*> params, const std::vector<Tensor>& grads) {
        constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        if (m_.empty()) {
            for (const Tensor* p : params) {
                m_.push_back(Tensor::zeros_like(*p));
                v_.push_back(Tensor::zeros_like(*p));
            }
        }
        ++t_;
        const double c1 = 1 - std::pow(beta1, t_), c2 = 1 - std::pow(beta2, t_);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const Var g(grads[i]);
            m_[i] = (beta1 * Var(m_[i]) + (1 - beta1) * g).value();
            v_[i] = (beta2 * Var(v_[i]) + (1 - beta2) * square(g)).value();
            const Var step = (Var(m_[i]) / c1) / (sqrt(Var(v_[i]) / c2) + epsilon);
            *params[i] = (Var(*params[i]) - learning_rate_ * step).value();
        }
    }

private:
    double learning_rate_;
    int t_ = 0;
    std::vector<Tensor> m_, v_;
};

std::vector<Tensor*> parts(OneshotParameters& p) { return {&p.theta, &p.c, &p.nu, &p.log_gamma}; }
std::vector<Tensor> parts(const OneshotParameters& p) { return {p.theta, p.c, p.nu, p.log_gamma}; }

// The mean of the hypergradients of a meta-batch, and what it measured.
struct BatchGradient {
    OneshotParameters mean;
    double outer_loss = 0;
    std::size_t peak_bytes = 0;
    std::size_t feature_tape_bytes = 0;
};

BatchGradient batch_hypergradient(const std::vector<OneshotTask>& tasks, const OneshotParameters& p,
                                  const OneshotLayout& layout, const OneshotModel& model, const Strategy& strategy) {
    BatchGradient b;
    std::vector<Var> sums;
    for (const OneshotTask& task : tasks) {
        const OneshotGradient g = oneshot_hypergradient(task, p, layout, model, strategy);
        const std::vector<Tensor> gs = parts(g.grad);
        if (sums.empty()) {
            sums.assign(gs.begin(), gs.end());
        } else {
            for (std::size_t i = 0; i < gs.size(); ++i) sums[i] = sums[i] + Var(gs[i]);
        }
        b.outer_loss += g.outer_loss;
        b.peak_bytes = std::max(b.peak_bytes, g.report.peak_bytes);
        b.feature_tape_bytes = std::max(b.feature_tape_bytes, g.feature_tape_bytes);
    }
    const auto n = static_cast<double>(tasks.size());
    b.mean = {(sums[0] / n).value(), (sums[1] / n).value(), (sums[2] / n).value(), (sums[3] / n).value()};
    b.outer_loss /= n;
    return b;
}

std::vector<OneshotTask> sample_tasks(const OneshotPool& pool, int count, const OneshotSettings& s,
                                      std::mt19937_64& rng) {
    std::vector<OneshotTask> tasks;
    for (int i = 0; i < count; ++i) tasks.push_back(sample_oneshot_task(pool, s.ways, s.queries, rng));
    return tasks;
}

struct Accuracy {
    double mean = 0, ci95 = 0, loss = 0;
};

Accuracy test_accuracy(const std::vector<OneshotTask>& tasks, const OneshotParameters& p, const OneshotLayout& layout,
                       const OneshotModel& model) {
    std::vector<double> accuracy;
    Accuracy a;
    for (const OneshotTask& task : tasks) {
        const OneshotEvaluation e = oneshot_evaluate(task, p, layout, model);
        accuracy.push_back(e.accuracy);
        a.loss += e.outer_loss;
    }
    const auto n = static_cast<double>(accuracy.size());
    a.mean = std::accumulate(accuracy.begin(), accuracy.end(), 0.0) / n;
    a.loss /= n;
    double squares = 0;
    for (double x : accuracy) squares += (x - a.mean) * (x - a.mean);
    a.ci95 = n > 1 ? 1.96 * std::sqrt(squares / (n - 1) / n) : 0;
    return a;
}

Strategy strategy_for(int K, int steps) { return K >= steps ? Strategy{Reverse{}} : Strategy{Truncated{K}}; }

std::vector<double> softplus_values(const Tensor& nu) { return softplus(Var(nu)).value().to_vector(); }

OneshotRun run_method(const OneshotSettings& s, const OneshotLayout& layout, const OneshotPool& train,
                      const std::vector<OneshotTask>& eval_tasks, const std::vector<OneshotTask>& test_tasks, int K,
                      const Progress& progress) {
    OneshotRun run;
    run.K = K;
    run.full = K >= s.steps;
    const OneshotModel model{s.steps, true};
    const Strategy strategy = strategy_for(K, s.steps);
    const std::string stage =
        run.full ? "full RMD (K = T = " + std::to_string(s.steps) + ")" : std::to_string(K) + "-RMD";
    OneshotParameters lambda = oneshot_initial_parameters(layout, f32, s.seed, s.initial_step_size, s.initial_rho);
    MetaAdam adam(s.meta_learning_rate);
    std::mt19937_64 rng(s.seed + 1);  // every method sees the same sequence of meta-batches
    const auto evaluation_point = [&](int tau) {
        return tau == s.hyper_iterations || (s.eval_every > 0 && tau % s.eval_every == 0);
    };
    const auto evaluate = [&](int tau) {
        run.eval_iterations.push_back(tau);
        run.eval_accuracies.push_back(test_accuracy(eval_tasks, lambda, layout, model).mean);
    };
    evaluate(0);
    double seconds = 0;
    for (int tau = 1; tau <= s.hyper_iterations; ++tau) {
        const std::vector<OneshotTask> tasks = sample_tasks(train, s.meta_batch, s, rng);
        const auto start = Clock::now();
        const BatchGradient h = batch_hypergradient(tasks, lambda, layout, model, strategy);
        const double elapsed = seconds_since(start);
        run.validation_losses.push_back(h.outer_loss);
        run.peak_bytes = std::max(run.peak_bytes, h.peak_bytes);
        run.feature_tape_bytes = std::max(run.feature_tape_bytes, h.feature_tape_bytes);
        if (!run.full && (tau == 1 || evaluation_point(tau))) {
            // Fig. 7 (3): the same lambda and tasks through full RMD (not timed).
            const BatchGradient exact = batch_hypergradient(tasks, lambda, layout, model, Reverse{});
            run.cosine_iterations.push_back(tau);
            run.cosines.push_back(cosine(flatten(h.mean), flatten(exact.mean)));
        }
        const auto update_start = Clock::now();
        adam.update(parts(lambda), parts(h.mean));
        seconds += elapsed + seconds_since(update_start);
        if (evaluation_point(tau)) evaluate(tau);
        progress(stage, tau, s.hyper_iterations);
    }
    run.seconds_per_iteration = seconds / s.hyper_iterations;
    progress(stage + ": meta-testing", 0, 1);
    const Accuracy test = test_accuracy(test_tasks, lambda, layout, model);
    run.test_accuracy = test.mean;
    run.test_ci95 = test.ci95;
    run.test_loss = test.loss;
    run.step_size = std::exp(lambda.log_gamma.item());
    run.rho = softplus_values(lambda.nu);
    run.lambda = std::move(lambda);
    return run;
}

OneshotErrorCurve error_curve(const OneshotSettings& s, const OneshotLayout& layout, const OneshotPool& train,
                              const OneshotParameters& lambda, std::string at, const Progress& progress) {
    OneshotErrorCurve curve;
    curve.at = std::move(at);
    for (int K : s.error_truncations) {
        if (K >= 1 && K <= s.steps && std::find(curve.K.begin(), curve.K.end(), K) == curve.K.end()) {
            curve.K.push_back(K);
        }
    }
    std::sort(curve.K.begin(), curve.K.end());
    std::mt19937_64 rng(s.seed + 4);
    const std::vector<OneshotTask> tasks = sample_tasks(train, s.meta_batch, s, rng);
    const auto total = static_cast<long long>(2 * (curve.K.size() + 1));
    long long done = 0;
    for (bool regularized : {true, false}) {
        const OneshotModel model{s.steps, regularized};
        const std::vector<double> exact = flatten(batch_hypergradient(tasks, lambda, layout, model, Reverse{}).mean);
        progress("Fig. 7 (4): relative error against K", ++done, total);
        std::vector<double>& errors = regularized ? curve.regularized : curve.unregularized;
        for (int K : curve.K) {
            const std::vector<double> h = flatten(batch_hypergradient(tasks, lambda, layout, model, Truncated{K}).mean);
            errors.push_back(relative_error(h, exact));
            progress("Fig. 7 (4): relative error against K", ++done, total);
        }
    }
    // The rate over K < T: at K = T the error is 0 (Truncated{T} is full RMD here).
    std::vector<int> Ks;
    std::vector<double> reg, unreg;
    for (std::size_t i = 0; i < curve.K.size(); ++i) {
        if (curve.K[i] >= s.steps) continue;
        Ks.push_back(curve.K[i]);
        reg.push_back(curve.regularized[i]);
        unreg.push_back(curve.unregularized[i]);
    }
    curve.rate_regularized = decay_rate(Ks, reg);
    curve.rate_unregularized = decay_rate(Ks, unreg);
    return curve;
}

}  // namespace

// ---- tasks ----

OneshotPool oneshot_pool(LabelledImages images) {
    OneshotPool pool;
    pool.rows_by_class.resize(kClasses);
    for (std::int64_t i = 0; i < images.size(); ++i) {
        const std::int64_t y = images.labels[static_cast<std::size_t>(i)];
        if (y < 0 || y >= kClasses) fail("oneshot_pool: label ", y, " outside [0, ", kClasses, ")");
        pool.rows_by_class[static_cast<std::size_t>(y)].push_back(i);
    }
    pool.images = std::move(images);
    return pool;
}

OneshotTask sample_oneshot_task(const OneshotPool& pool, int ways, int queries, std::mt19937_64& rng) {
    if (ways < 2 || ways > kClasses) fail("oneshot: ways = ", ways, " must lie in [2, ", kClasses, "]");
    if (queries < 1) fail("oneshot: queries = ", queries, " must be >= 1");
    std::vector<std::int64_t> classes(kClasses);
    std::iota(classes.begin(), classes.end(), 0);
    std::shuffle(classes.begin(), classes.end(), rng);
    classes.resize(static_cast<std::size_t>(ways));  // label l stands for classes[l]

    OneshotTask task;
    task.classes = classes;
    std::vector<std::int64_t> y_S, y_Q;
    for (int label = 0; label < ways; ++label) {
        const std::vector<std::int64_t>& rows = pool.rows_by_class[static_cast<std::size_t>(classes[label])];
        if (static_cast<int>(rows.size()) < 1 + queries) {
            fail("oneshot: class ", classes[label], " has ", rows.size(), " images, a task needs ", 1 + queries);
        }
        std::vector<std::int64_t> drawn(rows.size());
        std::iota(drawn.begin(), drawn.end(), 0);
        // The first 1 + queries of a partial Fisher-Yates shuffle: distinct images.
        for (int i = 0; i <= queries; ++i) {
            std::uniform_int_distribution<std::size_t> pick(static_cast<std::size_t>(i), drawn.size() - 1);
            std::swap(drawn[static_cast<std::size_t>(i)], drawn[pick(rng)]);
        }
        task.rows_S.push_back(rows[static_cast<std::size_t>(drawn[0])]);
        y_S.push_back(label);
        for (int i = 1; i <= queries; ++i) {
            task.rows_Q.push_back(rows[static_cast<std::size_t>(drawn[static_cast<std::size_t>(i)])]);
            y_Q.push_back(label);
        }
    }
    const std::int64_t side = 28;
    const LabelledImages S = take(pool.images, task.rows_S);
    const LabelledImages Q = take(pool.images, task.rows_Q);
    task.X_S = S.X.reshaped({S.size(), 1, side, side});
    task.X_Q = Q.X.reshaped({Q.size(), 1, side, side});
    task.y_S = Tensor::indices(y_S);
    task.y_Q = Tensor::indices(y_Q);
    return task;
}

// ---- the network ----

std::int64_t OneshotLayout::feature_size() const { return image / 2 / 2; }
std::int64_t OneshotLayout::final_size() const { return feature_size() / 2 / 2; }
std::int64_t OneshotLayout::theta_size() const { return block_size(channels, filters) + block_size(filters, filters); }
std::int64_t OneshotLayout::w_size() const { return w_layers().back(); }

std::vector<std::int64_t> OneshotLayout::w_layers() const {
    const std::int64_t block = block_size(filters, filters);
    const std::int64_t linear = ways * filters * final_size() * final_size() + ways;
    return {0, block, 2 * block, 2 * block + linear};
}

Var oneshot_blocks12(const Var& images, const Var& theta, const OneshotLayout& layout) {
    check_layout(layout);
    Cursor cursor(theta);
    const Var h = block(images, cursor, layout.channels, layout.filters, layout.batch_norm_eps);
    return block(h, cursor, layout.filters, layout.filters, layout.batch_norm_eps);
}

Var oneshot_head(const Var& features, const Var& w, const OneshotLayout& layout) {
    Cursor cursor(w);
    Var h = block(features, cursor, layout.filters, layout.filters, layout.batch_norm_eps);
    h = block(h, cursor, layout.filters, layout.filters, layout.batch_norm_eps);
    const std::int64_t n = h.shape()[0];
    const std::int64_t width = layout.filters * layout.final_size() * layout.final_size();
    const Var weight = cursor.take({layout.ways, width});
    const Var bias = cursor.take({layout.ways});
    return matmul(reshape(h, {n, width}), weight, trans_b) + bias;
}

Var oneshot_regularizer(const Var& w, const Var& c, const Var& nu, const OneshotLayout& layout, bool regularized) {
    if (!regularized) return Var(Tensor::scalar(0, w.dtype(), w.value().device()));
    const std::vector<std::int64_t> layers = layout.w_layers();
    const Var d = w - c;
    std::vector<Var> squares;
    for (std::int64_t j = 0; j < kLayers; ++j) {
        squares.push_back(reshape(sum(square(slice(d, 0, layers[j], layers[j + 1]))), {1}));
    }
    return sum(softplus(nu) * concat(squares, 0));
}

OneshotParameters oneshot_initial_parameters(const OneshotLayout& layout, DType dtype, std::uint64_t seed,
                                             double step_size, double rho) {
    check_layout(layout);
    check_positive("initial_step_size", step_size);
    check_positive("initial_rho", rho);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<double> values;
    const auto normals = [&](std::int64_t n, double sd) {
        for (std::int64_t i = 0; i < n; ++i) values.push_back(sd * normal(rng));
    };
    const auto constants = [&](std::int64_t n, double v) {
        values.insert(values.end(), static_cast<std::size_t>(n), v);
    };
    const auto add_block = [&](std::int64_t in) {
        const std::int64_t fan_in = in * kKernel * kKernel;
        normals(layout.filters * fan_in, std::sqrt(2.0 / static_cast<double>(fan_in)));  // He
        constants(layout.filters, 0);                                                    // conv bias
        constants(layout.filters, 1);                                                    // batch-norm scale
        constants(layout.filters, 0);                                                    // batch-norm shift
    };
    add_block(layout.channels);
    add_block(layout.filters);
    OneshotParameters p;
    p.theta = Tensor::from_vector(values, {layout.theta_size()}, dtype);
    values.clear();
    add_block(layout.filters);
    add_block(layout.filters);
    const std::int64_t width = layout.filters * layout.final_size() * layout.final_size();
    normals(layout.ways * width, std::sqrt(1.0 / static_cast<double>(width)));
    constants(layout.ways, 0);
    p.c = Tensor::from_vector(values, {layout.w_size()}, dtype);
    p.nu = Tensor::full({kLayers}, std::log(std::expm1(rho)), dtype);  // softplus(nu) = rho
    p.log_gamma = Tensor::full({1}, std::log(step_size), dtype);
    return p;
}

Problem oneshot_problem(const Tensor& y_S, const Tensor& y_Q, const OneshotLayout& layout, const OneshotModel& model,
                        const Shape& phi_S_shape, const Shape& phi_Q_shape) {
    check_layout(layout);
    if (model.steps < 1) fail("oneshot: steps = ", model.steps, " must be >= 1");
    const auto n_S = static_cast<double>(y_S.numel());
    Problem p;
    p.lambda_shapes = {phi_S_shape, phi_Q_shape, {layout.w_size()}, {kLayers}, {1}};
    p.steps = model.steps;
    p.init = [](const Hyperparameters& lambda) { return State{lambda[2]}; };  // w_0 = c itself
    const bool regularized = model.regularized;
    p.step = [=](const State& s, const Hyperparameters& lambda, int t) {
        const Var gamma = exp(lambda[4]);
        const GradientFn gradient = tape_gradient([&](const Var& w) {
            // cross_entropy is a mean: g_S is the paper's sum over S.
            return n_S * cross_entropy(oneshot_head(lambda[0], w, layout), y_S) +
                   oneshot_regularizer(w, lambda[2], lambda[3], layout, regularized);
        });
        return GradientDescent{gamma}.step(s, gradient, t);
    };
    p.outer = [=](const State& s, const Hyperparameters& lambda) {
        return cross_entropy(oneshot_head(lambda[1], s[0], layout), y_Q);
    };
    return p;
}

namespace {

double accuracy_of(const Tensor& logits, const Tensor& labels) {
    const std::vector<double> z = logits.to_vector(), y = labels.to_vector();
    const std::int64_t n = logits.shape()[0], k = logits.shape()[1];
    std::int64_t right = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        const auto row = z.begin() + i * k;
        right += std::max_element(row, row + k) - row == static_cast<std::int64_t>(y[static_cast<std::size_t>(i)]);
    }
    return static_cast<double>(right) / static_cast<double>(n);
}

}  // namespace

OneshotGradient oneshot_hypergradient(const OneshotTask& task, const OneshotParameters& p, const OneshotLayout& layout,
                                      const OneshotModel& model, const Strategy& strategy) {
    Tape tape;
    const Var theta = tape.variable(p.theta);
    const Var phi_S = oneshot_blocks12(Var(task.X_S), theta, layout);
    const Var phi_Q = oneshot_blocks12(Var(task.X_Q), theta, layout);
    const Problem problem = oneshot_problem(task.y_S, task.y_Q, layout, model, phi_S.shape(), phi_Q.shape());
    const HypergradientResult h =
        hypergradient(problem, {phi_S.value(), phi_Q.value(), p.c, p.nu, p.log_gamma}, strategy);
    // The chain rule into theta: one reverse sweep through blocks 1-2.
    const Var chain = sum(phi_S * Var(h.values[0])) + sum(phi_Q * Var(h.values[1]));
    OneshotGradient g;
    g.grad.theta = grad(chain, theta).value();
    g.grad.c = h.values[2];
    g.grad.nu = h.values[3];
    g.grad.log_gamma = h.values[4];
    g.outer_loss = h.outer_loss;
    g.report = h.report;
    g.feature_tape_bytes = tape.stats().peak_bytes;
    g.accuracy = accuracy_of(oneshot_head(phi_Q.value(), h.final_state[0], layout).value(), task.y_Q);
    return g;
}

OneshotEvaluation oneshot_evaluate(const OneshotTask& task, const OneshotParameters& p, const OneshotLayout& layout,
                                   const OneshotModel& model) {
    const Tensor phi_S = oneshot_blocks12(Var(task.X_S), Var(p.theta), layout).value();
    const Tensor phi_Q = oneshot_blocks12(Var(task.X_Q), Var(p.theta), layout).value();
    const Problem problem = oneshot_problem(task.y_S, task.y_Q, layout, model, phi_S.shape(), phi_Q.shape());
    const Hyperparameters lambda(std::vector<Var>{Var(phi_S), Var(phi_Q), Var(p.c), Var(p.nu), Var(p.log_gamma)});
    Tensor w = p.c;
    for (int t = 0; t < model.steps; ++t) {
        Tape tape;  // the step takes grad_w g on a tape; its records go with it
        w = problem.step(State{tape.variable(w)}, lambda, t)[0].value();
    }
    const Tensor logits = oneshot_head(Var(phi_Q), Var(w), layout).value();
    return {cross_entropy(Var(logits), task.y_Q).item(), accuracy_of(logits, task.y_Q)};
}

std::vector<double> flatten(const OneshotParameters& p) {
    std::vector<double> v;
    for (const Tensor& t : parts(p)) {
        const std::vector<double> x = t.to_vector();
        v.insert(v.end(), x.begin(), x.end());
    }
    return v;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) fail("cosine: ", a.size(), " and ", b.size(), " entries");
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

double relative_error(const std::vector<double>& approximate, const std::vector<double>& exact) {
    if (approximate.size() != exact.size()) {
        fail("relative_error: ", approximate.size(), " and ", exact.size(), " entries");
    }
    double dd = 0, ee = 0;
    for (std::size_t i = 0; i < exact.size(); ++i) {
        dd += (approximate[i] - exact[i]) * (approximate[i] - exact[i]);
        ee += exact[i] * exact[i];
    }
    return std::sqrt(dd / ee);
}

double decay_rate(const std::vector<int>& K, const std::vector<double>& errors) {
    if (K.size() != errors.size()) fail("decay_rate: ", K.size(), " K but ", errors.size(), " errors");
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t i = 0; i < K.size(); ++i) {
        if (!(errors[i] > 0) || !std::isfinite(errors[i])) continue;
        const auto x = static_cast<double>(K[i]);
        const double y = std::log(errors[i]);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        n += 1;
    }
    const double denominator = n * sxx - sx * sx;
    if (n < 2 || denominator == 0) return std::numeric_limits<double>::quiet_NaN();
    return -(n * sxy - sx * sy) / denominator;
}

// ---- the experiment ----

OneshotSettings OneshotSettings::quick() {
    OneshotSettings s;
    s.filters = 16;
    s.queries = 5;
    s.steps = 50;
    s.hyper_iterations = 60;
    s.meta_learning_rate = 3e-3;
    s.test_tasks = 40;
    s.eval_every = 20;
    s.eval_tasks = 10;
    return s;
}

OneshotSettings OneshotSettings::tiny() {
    OneshotSettings s;
    s.filters = 4;
    s.queries = 2;
    s.steps = 5;
    s.meta_batch = 2;
    s.hyper_iterations = 3;
    s.truncations = {1, 2, 3, 5};
    s.meta_learning_rate = 3e-3;
    s.test_tasks = 4;
    s.eval_every = 2;
    s.eval_tasks = 2;
    s.error_truncations = {1, 2, 5};
    s.train_pool = 1000;
    s.test_pool = 500;
    return s;
}

void check_oneshot_settings(const OneshotSettings& s) {
    check_layout(layout_of(s));
    if (s.queries < 1) fail("oneshot: queries = ", s.queries, " must be >= 1");
    if (s.steps < 1) fail("oneshot: steps = ", s.steps, " must be >= 1");
    if (s.meta_batch < 1) fail("oneshot: meta_batch = ", s.meta_batch, " must be >= 1");
    if (s.hyper_iterations < 1) fail("oneshot: hyper_iterations = ", s.hyper_iterations, " must be >= 1");
    if (s.truncations.empty()) fail("oneshot: truncations must name at least one K");
    for (int K : s.truncations) {
        if (K < 1) fail("oneshot: truncation K = ", K, " must be >= 1");
    }
    check_positive("meta_learning_rate", s.meta_learning_rate);
    check_positive("initial_step_size", s.initial_step_size);
    check_positive("initial_rho", s.initial_rho);
    if (s.test_tasks < 2) fail("oneshot: test_tasks = ", s.test_tasks, " must be >= 2 (an interval)");
    if (s.eval_every < 0) fail("oneshot: eval_every = ", s.eval_every, " must be >= 0");
    if (s.eval_tasks < 1) fail("oneshot: eval_tasks = ", s.eval_tasks, " must be >= 1");
    if (s.train_pool < 0 || s.test_pool < 0) fail("oneshot: pool sizes must be >= 0 (0: all images)");
}

OneshotResult run_oneshot(const OneshotSettings& settings, const Progress& progress) {
    check_oneshot_settings(settings);
    progress("loading Fashion-MNIST", 0, 1);
    FashionMnist data = load_fashion_mnist(settings.data_dir, settings.train_pool, settings.test_pool);
    return run_oneshot(settings, oneshot_pool(std::move(data.train)), oneshot_pool(std::move(data.test)), progress);
}

OneshotResult run_oneshot(const OneshotSettings& settings, const OneshotPool& train, const OneshotPool& test,
                          const Progress& progress) {
    check_oneshot_settings(settings);
    const auto start = Clock::now();
    const OneshotLayout layout = layout_of(settings);
    OneshotResult result;
    result.settings = settings;
    result.parameters = layout.w_size();
    result.hyperparameters = layout.theta_size() + layout.w_size() + kLayers + 1;
    result.train_images = train.images.size();
    result.test_images = test.images.size();

    // The same meta-test tasks for every method.
    std::mt19937_64 eval_rng(settings.seed + 2), test_rng(settings.seed + 3);
    const std::vector<OneshotTask> eval_tasks = sample_tasks(test, settings.eval_tasks, settings, eval_rng);
    const std::vector<OneshotTask> test_tasks = sample_tasks(test, settings.test_tasks, settings, test_rng);
    for (int K : settings.truncations) {
        result.runs.push_back(run_method(settings, layout, train, eval_tasks, test_tasks, K, progress));
    }
    // Fig. 7 (4) at the final lambda of full RMD (or of the last method when none is full).
    const OneshotRun* at = &result.runs.back();
    for (const OneshotRun& run : result.runs) {
        if (run.full) at = &run;
    }
    const std::string where =
        at->full ? "the final lambda of full RMD" : "the final lambda of " + std::to_string(at->K) + "-RMD";
    result.error_curve = error_curve(settings, layout, train, at->lambda, where, progress);
    result.seconds = seconds_since(start);
    return result;
}

}  // namespace hypertape::experiments
