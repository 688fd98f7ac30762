#pragma once
// The toy problem of Shaban et al. (2019), Sec. 4.1 (Figs. 1-4): truncated back-propagation on a
// two-dimensional bilevel problem where every quantity of Sec. 3 is known in closed form.
//
// Concept: lambda, w in R^2. The inner problem g(w, lambda) = 1/2 (w - lambda)^T G (w - lambda),
// G = diag(1, 1/2), is solved by T steps of gradient descent with step size gamma from w_0 =
// (2, 2); the outer loss is
//   f(w_T)          = |w_T|^2 + 10 |sin(w_T)|^2                       (ToyObjective::f)
//   f~(w_T, lambda) = f(w_T) + 5 |lambda - (1, 0)|^2                  (ToyObjective::f_tilde)
// Each step is w_{t+1} = w_t - gamma G (w_t - lambda), so A_t = I - gamma G, B_t = gamma G, B_0 = 0,
// and the K-step truncated hypergradient of eq. (8) is
//   h_{T-K} = grad_lambda f + (I - (I - gamma G)^K) grad_w f(w_T),
// K = T being the full d_lambda f. g is 1-smooth and alpha = 1/2 strongly convex, so eq. (10)
// bounds the bias: |h_{T-K} - d_lambda f| <= (1 - gamma alpha)^K / (gamma alpha) |grad_w f| M_B
// with M_B = |gamma G| = gamma. Since w_T = C w_0 + (I - C) lambda, C = (I - gamma G)^T, f has its
// minimum 0 at lambda* = -(I - C)^{-1} C w_0, just off the origin; f~'s minimiser is found
// numerically (gradient descent with full hypergradients until |d_lambda f~| <= 1e-12).
//
// run_toy computes, all in float64 with the library's hypergradient() and optimize():
//   Fig. 1  |h_{T-K} - d_lambda f| and the bound (10) for K = 1..T at lambda = error_point;
//   Fig. 2  h_{T-K}^T d / |d|^2 (d the full hypergradient) for each K of ratio_truncations at
//           every lambda_tau of the 1-RMD trajectory, on f and on f~;
//   Fig. 3  K-RMD and full RMD on f~ (biased convergence: where each K's iterates settle);
//   Fig. 4  K-RMD and full RMD on f (trajectories and convergence to lambda*).
// Every trajectory starts at `start` and runs HyperSGD with eta_tau = eta_0 / sqrt(tau), eta_0
// chosen per K so that the first update eta_1 h_{T-K}(lambda_1) has norm first_update_norm
// (footnote 4). The paper does not give its starting point; start = (-1, 1) is this library's
// choice: on f~ it lies on the far side of the minimiser from where 1-RMD settles, so the 1-RMD
// trajectory crosses the region where h_{T-1} and d_lambda f~ disagree (Fig. 2 right's negative
// ratios). From (1, 1) the ratios stay positive on f~ as well.
//
// Usage:
//   ToyResult r = run_toy(ToySettings{});                 // the paper's T, gamma; 1000 hyper-iterations
//   r.errors[4].error;                                     // |h_{T-5} - d_lambda f| at (1, 1)
//   for (const ToyTrajectory& run : r.runs)
//       if (run.objective == ToyObjective::f_tilde) std::cout << run.truncation << " " << run.distance.back() << "\n";
//   Problem p = toy_problem(ToySettings{}, ToyObjective::f);   // the Problem itself, lambda of shape [2]
//   hypergradient(p, Tensor::from_vector({1, 1}, {2}, f64), Truncated{3});
//
// Errors (hypertape::Error, naming the setting): steps < 1, step_size outside (0, 1] (the bound
// needs gamma <= 1/beta = 1), a truncation outside 1..steps, iterations < 1, first_update_norm
// <= 0 or not finite, a non-finite start or error_point; and a first hypergradient of norm 0 at
// start, for which no eta_0 gives the asked first update.
#include <array>
#include <string>
#include <vector>

#include "hypertape/bilevel/problem.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

struct ToySettings {
    int steps = 100;                                         // T
    double step_size = 0.1;                                  // gamma
    std::array<double, 2> error_point = {1, 1};              // Fig. 1's lambda
    std::array<double, 2> start = {-1, 1};                   // lambda_1 of every trajectory (the paper gives none)
    std::vector<int> truncations = {1, 2, 5, 10, 25};        // K of the K-RMD runs (Figs. 3, 4), besides full RMD
    std::vector<int> ratio_truncations = {1, 2, 5, 10, 25};  // K of Fig. 2's ratios
    int iterations = 1000;                                   // hyper-iterations of every run
    double first_update_norm = 0.6;                          // |eta_1 h_{T-K}(lambda_1)| (footnote 4)

    // 300 hyper-iterations: about 15 s of one core (the default, 1000, about 35 s).
    static ToySettings quick();
    // T = 30, 150 hyper-iterations, K in {1, 5, 25}: for tests, about a second.
    static ToySettings tiny();
};

enum class ToyObjective { f, f_tilde };
std::string to_string(ToyObjective objective);  // "f", "f~"

// The bilevel Problem of the objective: lambda [2] float64, state {w}, w_0 = (2, 2).
Problem toy_problem(const ToySettings& settings, ToyObjective objective);

// One row of Fig. 1.
struct ToyTruncationError {
    int truncation = 0;                // K
    double error = 0;                  // |h_{T-K} - d_lambda f|, both from hypergradient()
    double bound = 0;                  // eq. (10)
    double closed_form_deviation = 0;  // |h_{T-K} - closed form| / |closed form|
};

// One run of HyperSGD from `start`: lambda_1 .. lambda_{iterations+1} and, at each, the objective,
// its full hypergradient d (by Reverse{}) and the distance to the objective's minimiser.
struct ToyTrajectory {
    ToyObjective objective = ToyObjective::f;
    int truncation = 0;                            // K; steps for full RMD
    bool full = false;                             // Reverse{} rather than Truncated{K}
    double initial_learning_rate = 0;              // eta_0
    std::vector<std::array<double, 2>> lambdas;    // lambda_tau, tau = 1, 2, ...
    std::vector<double> loss;                      // the objective at lambda_tau
    std::vector<std::array<double, 2>> gradients;  // d_lambda (objective) at lambda_tau
    std::vector<double> distance;                  // |lambda_tau - the minimiser|
};

// Fig. 2 for one objective: ratio[k][tau - 1] = h_{T-K}^T d / |d|^2 at lambda_tau of the 1-RMD
// trajectory, K = truncations[k]; NaN where d is exactly 0.
struct ToyRatios {
    ToyObjective objective = ToyObjective::f;
    std::vector<int> truncations;
    std::vector<std::array<double, 2>> lambdas;  // the 1-RMD trajectory's lambda_tau
    std::vector<std::vector<double>> ratio;
};

struct ToyResult {
    ToySettings settings;
    // Fig. 1, K = 1..T at settings.error_point.
    std::vector<ToyTruncationError> errors;
    double outer_gradient_norm = 0;        // |grad_w f(w_T)| there
    double bound_rate = 0;                 // 1 - gamma alpha: the bound's factor per unit of K
    double error_rate = 0;                 // the errors' geometric mean factor per unit of K over K = 1..T/2
    double max_closed_form_deviation = 0;  // over all K
    // The minimisers: f's in closed form (f = 0 there), f~'s found with full hypergradients.
    std::array<double, 2> optimum{};
    std::array<double, 2> optimum_tilde{};
    double minimum_tilde = 0;           // f~ at optimum_tilde
    double optimum_tilde_residual = 0;  // |d_lambda f~| there
    // Figs. 3 and 4: for each objective, a run per K of settings.truncations, then full RMD.
    std::vector<ToyTrajectory> runs;
    ToyRatios ratios;        // Fig. 2 left, on f
    ToyRatios ratios_tilde;  // Fig. 2 right, on f~
    double seconds = 0;
};

ToyResult run_toy(const ToySettings& settings, const Progress& progress = {});

}  // namespace hypertape::experiments
