#include "hypertape/tape/tape.hpp"

#include "hypertape/tape/error.hpp"
#include "hypertape/tape/tape_state.hpp"

namespace hypertape {

using detail::InputRef;
using detail::Record;
using detail::Segment;
using detail::TapeState;
using detail::VarAccess;

// ----- Var ---------------------------------------------------------------------------------------

Var::Var(Tensor value) : value_(std::move(value)) {}

Var detach(const Var& x) { return Var(x.value()); }

Var with_tangents(const Var& x, const Tensor& directions) {
    if (!x.defined()) fail("with_tangents: the Var is undefined");
    const bool batch = directions.defined() && directions.rank() > 0;
    if (!batch || directions.shape() != tangent_batch_shape("with_tangents", directions.shape()[0], x.shape())) {
        fail("with_tangents: directions of shape ", directions.defined() ? directions.shape().str() : "(undefined)",
             " do not have the shape [n, ", x.shape().str().substr(1));
    }
    if (directions.dtype() != x.dtype() || directions.device() != x.device()) {
        fail("with_tangents: directions are ", name_of(directions.dtype()), " on ", directions.device().name(),
             " but the value is ", name_of(x.dtype()), " on ", x.device().name());
    }
    Var out = x;
    VarAccess::set_tangent(out, directions);
    return out;
}

// ----- Window and scopes -------------------------------------------------------------------------

Window::Window(std::int64_t k) : steps(k) {
    if (k < 0) fail("Window: the number of kept steps must be >= 0, got ", k);
}

StepScope::StepScope(std::shared_ptr<TapeState> tape) : tape_(std::move(tape)) { tape_->begin_step(); }
StepScope::~StepScope() { tape_->end_step(); }

NoRecordScope::NoRecordScope(std::shared_ptr<TapeState> tape) : tape_(std::move(tape)) { tape_->push_no_record(); }
NoRecordScope::~NoRecordScope() { tape_->pop_no_record(); }

// ----- ByteLedger --------------------------------------------------------------------------------

namespace detail {

void ByteLedger::hold(const Tensor& t) {
    if (!t.defined()) return;
    Entry& e = blocks_[t.storage()];
    if (e.holders++ == 0) {
        e.bytes = t.storage()->bytes();
        bytes_ += e.bytes;
        if (bytes_ > peak_) peak_ = bytes_;
    }
}

void ByteLedger::drop(const Tensor& t) {
    if (!t.defined()) return;
    auto it = blocks_.find(t.storage());
    if (--it->second.holders == 0) {
        bytes_ -= it->second.bytes;
        blocks_.erase(it);
    }
}

void ByteLedger::hold_all(const Record& r) {
    r.saved.for_each([this](const Var& v) {
        hold(v.value());
        hold(v.tangents());
    });
}

void ByteLedger::drop_all(const Record& r) {
    r.saved.for_each([this](const Var& v) {
        drop(v.value());
        drop(v.tangents());
    });
}

// ----- Saved -------------------------------------------------------------------------------------

Saved::Slot::Slot(Var v)
    : var(std::move(v)), value_version(var.value().version()), tangent_version(var.tangents().version()) {}

Saved::Saved(const char* op, const VarList& listed) : op_(op) {
    for (const Var& v : listed) listed_.emplace_back(v);
}

const Var& Saved::operator[](std::size_t i) const {
    if (i >= listed_.size()) {
        fail(op_, ": the VJP reads saved tensor #", i, ", but the op saved ", listed_.size(),
             " (OpDef::saved; the op's own result is saved.output())");
    }
    if (!listed_[i].var.defined()) {
        fail(op_, ": the VJP reads saved tensor #", i,
             ", which the op left empty (needed_if_tracked leaves a slot empty when no gradient needs it)");
    }
    return listed_[i].var;
}

const Var& Saved::output() const {
    if (!output_.var.defined())
        fail(op_, ": the VJP reads the saved output, but the op did not set OpDef::save_output");
    return output_.var;
}

void Saved::set_output(Var output) { output_ = Slot(std::move(output)); }

bool Saved::Slot::modified() const {
    // An undefined value or tangent batch is at version 0 and was saved at 0.
    return var.value().version() != value_version || var.tangents().version() != tangent_version;
}

void Saved::fail_modified(const Slot& slot, const std::string& what, const std::string& operand) const {
    const bool value_moved = slot.var.value().version() != slot.value_version;
    const Tensor& t = value_moved ? slot.var.value() : slot.var.tangents();
    fail(op_, ": ", value_moved ? "" : "the tangent batch of ", what, " (", operand, name_of(t.dtype()), " ",
         t.shape().str(), ") was modified after it was saved (version ",
         value_moved ? slot.value_version : slot.tangent_version, " -> ", t.version(),
         "); gradients through it would be wrong (write into a clone instead; reading through a const Tensor "
         "does not count as a write)");
}

void Saved::check_unmodified(const InputRefs& inputs) const {
    for (std::size_t i = 0; i < listed_.size(); ++i) {
        const Slot& slot = listed_[i];
        if (!slot.modified()) continue;
        // A slot holding one of the record's operands is named as that operand too.
        std::string operand;
        const NodeId node = VarAccess::node(slot.var);
        for (std::size_t k = 0; node != 0 && k < inputs.size(); ++k) {
            if (inputs[k].node == node) {
                operand = "operand #" + std::to_string(k) + ", ";
                break;
            }
        }
        fail_modified(slot, "saved tensor #" + std::to_string(i), operand);
    }
    if (output_.modified()) fail_modified(output_, "saved output", "");
}

// ----- TapeState ---------------------------------------------------------------------------------

Var TapeState::new_variable(Tensor value, const std::shared_ptr<TapeState>& self) {
    return VarAccess::make(std::move(value), Tensor(), self, next_id_++, true, -1);
}

Segment& TapeState::writable_segment() {
    if (segments_.empty() || (segments_.back().step >= 0 && !segments_.back().open)) {
        segments_.emplace_back();
    }
    return segments_.back();
}

Var TapeState::append(Record record, Tensor value, Tensor tangent, bool save_output,
                      const std::shared_ptr<TapeState>& self) {
    Segment& segment = writable_segment();
    record.output = next_id_++;
    for (const InputRef& in : record.inputs) {
        // Operands existed before this record, so their ids are older: the sweep depends on it.
        if (in.node >= record.output) {
            fail(record.op, ": internal error: operand node ", in.node, " is not older than the result's node ",
                 record.output);
        }
    }
    Var result = VarAccess::make(std::move(value), std::move(tangent), self, record.output, false, segment.step);
    if (save_output) record.saved.set_output(result);
    ledger_.hold_all(record);
    segment.records.push_back(std::move(record));
    ++records_;
    return result;
}

void TapeState::begin_step() {
    if (!segments_.empty() && segments_.back().open) {
        fail("Tape::step: step ", segments_.back().step, " is still open; steps do not nest");
    }
    Segment s;
    s.step = steps_begun_++;
    s.open = true;
    segments_.push_back(std::move(s));
    ++live_steps_;
}

void TapeState::end_step() {
    segments_.back().open = false;
    if (!window_.bounded()) return;
    while (live_steps_ > static_cast<std::size_t>(window_.steps)) {
        // Release everything up to and including the oldest live step.
        bool released_a_step = false;
        while (!released_a_step) {
            released_a_step = segments_.front().step >= 0;
            release_front_segment();
        }
    }
}

void TapeState::release_front_segment() {
    Segment& front = segments_.front();
    for (const Record& r : front.records) ledger_.drop_all(r);
    records_ -= front.records.size();
    if (front.step >= 0) {
        --live_steps_;
        ++released_steps_;
    }
    segments_.pop_front();
    first_live_ = next_id_;
    for (const Segment& s : segments_) {
        if (!s.records.empty()) {
            first_live_ = s.records.front().output;
            break;
        }
    }
}

void TapeState::release_all() {
    const bool step_open = !segments_.empty() && segments_.back().open;
    const std::int64_t open_step = step_open ? segments_.back().step : -1;
    while (!segments_.empty()) release_front_segment();
    first_live_ = next_id_;
    if (step_open) {
        // The open step keeps going; only its records so far are gone.
        Segment s;
        s.step = open_step;
        s.open = true;
        segments_.push_back(std::move(s));
        ++live_steps_;
        --released_steps_;
    }
}

TapeStats TapeState::stats() const {
    TapeStats s;
    s.records = records_;
    s.live_steps = live_steps_;
    s.released_steps = released_steps_;
    s.saved_bytes = ledger_.bytes();
    s.peak_bytes = ledger_.peak();
    return s;
}

}  // namespace detail

// ----- Tape --------------------------------------------------------------------------------------

Tape::Tape(Window window) : state_(std::make_shared<TapeState>(window)) {}

Tape::~Tape() = default;

const std::shared_ptr<TapeState>& Tape::checked_state() const {
    if (!state_) fail("Tape: this tape was moved from; use the tape it was moved to");
    return state_;
}

Var Tape::variable(Tensor value) {
    if (!value.defined()) fail("Tape::variable: the tensor is undefined");
    if (!is_floating(value.dtype())) {
        fail("Tape::variable: an ", name_of(value.dtype()), " tensor cannot be differentiated");
    }
    const auto& state = checked_state();
    return state->new_variable(std::move(value), state);
}

StepScope Tape::step() { return StepScope(checked_state()); }
NoRecordScope Tape::no_record() { return NoRecordScope(checked_state()); }
void Tape::clear() { checked_state()->release_all(); }
void Tape::reset_peak() { checked_state()->reset_peak(); }
TapeStats Tape::stats() const { return checked_state()->stats(); }
Window Tape::window() const { return checked_state()->window(); }

}  // namespace hypertape
