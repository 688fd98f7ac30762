#pragma once
// The hypercleaning benchmark problem that bench/cpu_hypercleaning.cpp and
// bench/gpu_hypercleaning.cpp time, its deterministic data, its rows and their timing helpers.
//
// Problem (examples/demo.cpp's): multinomial logistic regression W [10, 785] on 5000 training
// examples X [5000, 785] (784 pixels and a constant-1 bias column), example i weighted by
// sigmoid(lambda_i):
//   w_{t+1} = w_t - gamma grad_w [ CE_weighted(X W^T, y, sigmoid(lambda)) + beta/2 |W|^2 ],
// gamma = 0.35, beta = 1e-3, w_0 = 0, lambda = 0; outer loss: the cross-entropy on 5000 validation
// examples. float32.
//
// Data: Fashion-MNIST-shaped and deterministic: about half the pixels 0, the rest uniform in (0, 1),
// labels in [0, 10), all from a 32-bit integer hash of the element's position, which
// bench/peers/hypercleaning_torch.py computes identically, so the outer loss f and |h| of both
// implementations can be compared.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <hypertape/hypertape.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace hypercleaning_bench {

namespace ht = hypertape;

constexpr std::int64_t kExamples = 5000, kFeatures = 785, kClasses = 10;
constexpr double kGamma = 0.35, kBeta = 1e-3;

// One benchmark row: a strategy at a number of inner steps T. The ids are shared with
// hypercleaning_torch.py's ROWS.
struct Row {
    std::string id;
    std::string strategy_name;
    ht::Strategy strategy;
    int steps;
};

inline const std::vector<Row>& all_rows() {
    static const std::vector<Row> rows = {
        {"truncated1-T100", "Truncated{1}", ht::Truncated{1}, 100},
        {"truncated5-T100", "Truncated{5}", ht::Truncated{5}, 100},
        {"truncated25-T100", "Truncated{25}", ht::Truncated{25}, 100},
        {"reverse-T100", "Reverse", ht::Reverse{}, 100},
        {"truncated5-T1000", "Truncated{5}", ht::Truncated{5}, 1000},
        {"reverse-T1000", "Reverse", ht::Reverse{}, 1000},
        {"checkpointed10-T1000", "Checkpointed::binomial(10)", ht::Checkpointed::binomial(10), 1000},
    };
    return rows;
}

// The rows named in `ids` ("id,id,..."), in that order; `program` names the caller in the error
// for an unknown id.
inline std::vector<Row> select_rows(const std::string& ids, const std::string& program) {
    std::vector<Row> selected;
    std::stringstream list(ids);
    for (std::string id; std::getline(list, id, ',');) {
        const auto& rows = all_rows();
        const auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.id == id; });
        if (it == rows.end()) {
            std::string known;
            for (const Row& r : rows) known += (known.empty() ? "" : ", ") + r.id;
            ht::fail(program, ": unknown row '", id, "' (rows: ", known, ")");
        }
        selected.push_back(*it);
    }
    return selected;
}

// A 32-bit integer hash (two xor-shift-multiply rounds); hypercleaning_torch.py has the same.
inline std::uint32_t mix(std::uint32_t x) {
    x = ((x >> 16) ^ x) * 0x45d9f3bU;
    x = ((x >> 16) ^ x) * 0x45d9f3bU;
    return (x >> 16) ^ x;
}

// Disjoint ranges of hash inputs for the four arrays (each holds fewer than 2^22 elements).
constexpr std::uint32_t kTrainImages = 0, kValidationImages = 1U << 22, kTrainLabels = 2U << 22,
                        kValidationLabels = 3U << 22;

// [n, 785]: pixel k is max(0, 2u - 1) with u = mix(offset + k) / 2^32; the last column is 1.
inline ht::Tensor images(std::uint32_t offset, ht::Device device) {
    std::vector<double> values(static_cast<std::size_t>(kExamples * kFeatures));
    for (std::size_t k = 0; k < values.size(); ++k) {
        const double u = mix(offset + static_cast<std::uint32_t>(k)) / 4294967296.0;
        values[k] = (static_cast<std::int64_t>(k) + 1) % kFeatures == 0 ? 1.0 : std::max(0.0, 2 * u - 1);
    }
    return ht::Tensor::from_vector(values, {kExamples, kFeatures}).to(device);
}

inline ht::Tensor labels(std::uint32_t offset, ht::Device device) {
    std::vector<std::int64_t> values(static_cast<std::size_t>(kExamples));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = mix(offset + static_cast<std::uint32_t>(i)) % kClasses;
    return ht::Tensor::indices(values).to(device);
}

struct Data {
    ht::Tensor X, y, Xval, yval;
    ht::Var gamma;
};

inline Data make_data(ht::Device device) {
    return Data{images(kTrainImages, device), labels(kTrainLabels, device), images(kValidationImages, device),
                labels(kValidationLabels, device), ht::Var(ht::Tensor::scalar(kGamma, ht::f32, device))};
}

// The problem reads `d` by reference: `d` must outlive it.
inline ht::Problem make_problem(const Data& d, int steps) {
    ht::Problem p;
    p.lambda_shape = {kExamples};
    p.steps = steps;
    const ht::Device device = d.X.device();
    p.init = [device](const ht::Var&) {
        return ht::State{ht::Var(ht::Tensor::zeros({kClasses, kFeatures}, ht::f32, device))};
    };
    p.step = [&d](const ht::State& s, const ht::Var& lam, int t) {
        const auto loss = [&](const ht::Var& W) {
            return ht::cross_entropy(ht::matmul(d.X, W, ht::trans_b), d.y, ht::sigmoid(lam)) +
                   0.5 * kBeta * ht::squared_norm(W);
        };
        return ht::GradientDescent{d.gamma}.step(s, ht::tape_gradient(loss), t);
    };
    p.outer = [&d](const ht::State& s, const ht::Var&) {
        return ht::cross_entropy(ht::matmul(d.Xval, s[0], ht::trans_b), d.yval);
    };
    return p;
}

// The bandwidth floor's bytes: every evaluated inner step, recomputations included, reads X at
// least twice (the logits and the gradient); the outer loss and its gradient read Xval twice.
inline double floor_bytes(const Data& d, long long step_evaluations) {
    return 2.0 * static_cast<double>(step_evaluations) * static_cast<double>(d.X.nbytes()) +
           2.0 * static_cast<double>(d.Xval.nbytes());
}

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

}  // namespace hypercleaning_bench
