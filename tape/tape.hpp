#pragma once
// Tape: a Wengert list of tensor-level records, grouped into steps, with a truncation window.
//
// Concept: every differentiable op on a Var of this tape appends one record (the op, its
// operands' nodes, the tensors its VJP reads, the VJP itself). `step()` opens a scope whose
// records belong to one step of an unrolled loop. With Window{K}, when a step ends the records of
// every step older than the newest K are destroyed at once, together with the tensors only they
// held; results computed there become constants for any later backward pass. That is K-step
// truncated reverse mode: the gradient of the final loss is h_{T-K} of Shaban et al. (eq. 8).
// Records made outside any step are released together with the next step.
//
// Usage:
//   Tape tape{Window{5}};
//   Var lam = tape.variable(Tensor::zeros({5000}, f64));
//   Var w = tape.variable(Tensor::zeros({5000}, f64));
//   for (int t = 0; t < 100; ++t) {
//       auto step = tape.step();
//       w = w - 0.1 * (w - lam);
//   }
//   Tensor h = grad(sum(square(w)), lam).value();   // through the last 5 steps only
//   tape.stats().peak_bytes;                        // exact, flat in the number of steps
//
// The tape is move-only and not thread-safe; Vars refer to it, never to a global tape.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "hypertape/tape/var.hpp"

namespace hypertape {

// How many of the newest steps keep their records. Window{K} with K >= 0; Window::none() keeps all.
struct Window {
    std::int64_t steps = -1;

    Window() = default;
    explicit Window(std::int64_t k);
    static Window none() { return Window(); }
    bool bounded() const { return steps >= 0; }
};

struct TapeStats {
    std::size_t records = 0;         // live records
    std::size_t live_steps = 0;      // steps whose records are still held
    std::size_t released_steps = 0;  // steps released by the window so far
    std::size_t saved_bytes = 0;     // bytes of the distinct tensor blocks the live records hold
    std::size_t peak_bytes = 0;      // maximum of saved_bytes since construction or reset_peak()
};

class Tape;

// Ends its step on destruction, which is when the window slides.
class [[nodiscard]] StepScope {
public:
    explicit StepScope(std::shared_ptr<detail::TapeState> tape);
    ~StepScope();
    StepScope(const StepScope&) = delete;
    StepScope& operator=(const StepScope&) = delete;

private:
    std::shared_ptr<detail::TapeState> tape_;
};

// Ops on this tape's Vars record nothing while it lives; their results are constants.
class [[nodiscard]] NoRecordScope {
public:
    explicit NoRecordScope(std::shared_ptr<detail::TapeState> tape);
    ~NoRecordScope();
    NoRecordScope(const NoRecordScope&) = delete;
    NoRecordScope& operator=(const NoRecordScope&) = delete;

private:
    std::shared_ptr<detail::TapeState> tape_;
};

class Tape {
public:
    explicit Tape(Window window = Window::none());
    Tape(Tape&&) noexcept = default;
    Tape& operator=(Tape&&) noexcept = default;
    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;
    ~Tape();

    // A leaf on the tape: hyperparameters, and starting values such as w_0 that gradients are
    // taken with respect to. (A Tensor used directly in an op is an untracked constant.)
    Var variable(Tensor value);

    // Opens a step; throws if one is already open.
    StepScope step();
    NoRecordScope no_record();

    // Destroys every record now (the window's release, applied to all steps).
    void clear();
    void reset_peak();
    TapeStats stats() const;
    Window window() const;

    const std::shared_ptr<detail::TapeState>& state() const { return state_; }

private:
    const std::shared_ptr<detail::TapeState>& checked_state() const;

    std::shared_ptr<detail::TapeState> state_;
};

}  // namespace hypertape
