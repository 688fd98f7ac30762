#pragma once
// The tape's internals: records, steps and the byte ledger. Op authors use ops/record.hpp, not
// this header; it is here so that the backward sweep (tape/grad.cpp) and recording share them.
//
//   segments:  [ prologue ][ step 0 ][ between ][ step 1 ] ... [ step t (open) ]
//                  \________ released together ______/
// A segment is a deque of records, so appending during a create_graph sweep never moves a
// record, and releasing the oldest step is a pop_front that destroys its records and returns
// their tensors to the pool.
#include <boost/container/small_vector.hpp>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>

#include "hypertape/tape/tape.hpp"

namespace hypertape::detail {

using VarList = boost::container::small_vector<Var, 3>;
// needs[i]: whether operand i wants a gradient (a VJP may skip the others).
using NeedsGrad = boost::container::small_vector<bool, 3>;
// One entry per operand; an undefined Var means "no gradient" (zero).
using Grads = VarList;

struct InputRef {
    NodeId node = 0;  // 0 for a constant operand
    bool leaf = false;
};

using InputRefs = boost::container::small_vector<InputRef, 3>;

// The tensors a record's VJP reads, by name rather than by position:
//   saved[i]        the i-th Var the op listed in OpDef::saved (ops/record.hpp), in its order;
//   saved.output()  the op's own result, when the op set OpDef::save_output.
// A listed slot may be empty (needed_if_tracked leaves one empty when no gradient can need it);
// has(i) tells. Reading an empty slot, a slot past the list or an output the op did not save
// throws, naming the op: the VJP asked for something the op did not save.
//
// Each slot also remembers the versions (Storage::version) of its value and tangents when saved;
// check_unmodified() throws when a saved tensor was written since (an in-place change the
// gradient would silently use).
class Saved {
public:
    Saved() = default;
    // Saves `listed` for `op` (a string literal), remembering their versions now.
    Saved(const char* op, const VarList& listed);

    std::size_t size() const { return listed_.size(); }
    bool has(std::size_t i) const { return i < listed_.size() && listed_[i].var.defined(); }
    const Var& operator[](std::size_t i) const;
    bool has_output() const { return output_.var.defined(); }
    const Var& output() const;

    // Saves the op's result (TapeState::append, once the result has its node), remembering its
    // versions now.
    void set_output(Var output);
    // Throws hypertape::Error naming the op and the slot when a saved value or tangent batch has a
    // version other than the one it was saved at. `inputs` are the record's operands, so that a
    // slot holding one of them is named as that operand too.
    void check_unmodified(const InputRefs& inputs) const;

    // f(var) for every saved Var, listed slots first (the byte ledger holds and drops them).
    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : listed_) f(s.var);
        f(output_.var);
    }

private:
    struct Slot {
        Var var;
        std::uint64_t value_version = 0;
        std::uint64_t tangent_version = 0;
        Slot() = default;
        explicit Slot(Var v);
        // The value or the tangent batch has a version other than the one it was saved at.
        bool modified() const;
    };
    // Throws for a modified slot, naming it as `what` ("saved tensor #1", "saved output") with
    // `operand` ("operand #0, " or empty) before its dtype and shape.
    [[noreturn]] void fail_modified(const Slot& slot, const std::string& what, const std::string& operand) const;

    const char* op_ = "";
    boost::container::small_vector<Slot, 3> listed_;
    Slot output_;
};

using VjpFn = std::function<Grads(const Var& grad_out, const Saved& saved, const NeedsGrad& needs)>;

struct Record {
    const char* op = "";
    NodeId output = 0;
    InputRefs inputs;
    Saved saved;
    VjpFn vjp;
};

struct Segment {
    std::deque<Record> records;
    std::int64_t step = -1;  // -1: records made outside any step
    bool open = false;       // a step scope is still running
};

// Counts each saved tensor block once, however many records hold it.
class ByteLedger {
public:
    void hold(const Tensor& t);
    void drop(const Tensor& t);
    void hold_all(const Record& r);
    void drop_all(const Record& r);
    std::size_t bytes() const { return bytes_; }
    std::size_t peak() const { return peak_; }
    void reset_peak() { peak_ = bytes_; }

private:
    struct Entry {
        std::size_t holders = 0;
        std::size_t bytes = 0;
    };
    std::unordered_map<const Storage*, Entry> blocks_;
    std::size_t bytes_ = 0;
    std::size_t peak_ = 0;
};

class TapeState {
public:
    explicit TapeState(Window window) : window_(window) {}

    Var new_variable(Tensor value, const std::shared_ptr<TapeState>& self);
    // Appends a record; returns the result Var (with `value`, `tangent`), which the record also
    // saves when `save_output` (Saved::output). The record gets the next node id: every id in its
    // inputs is older (they existed before it), which the sweep relies on.
    Var append(Record record, Tensor value, Tensor tangent, bool save_output, const std::shared_ptr<TapeState>& self);

    bool recording() const { return no_record_depth_ == 0; }
    void push_no_record() { ++no_record_depth_; }
    void pop_no_record() { --no_record_depth_; }

    void begin_step();
    void end_step();
    void release_all();
    bool live(NodeId node, bool leaf) const { return leaf || node >= first_live_; }

    NodeId next_id() const { return next_id_; }
    std::deque<Segment>& segments() { return segments_; }
    TapeStats stats() const;
    void reset_peak() { ledger_.reset_peak(); }
    Window window() const { return window_; }

private:
    void release_front_segment();
    Segment& writable_segment();

    Window window_;
    std::deque<Segment> segments_;
    ByteLedger ledger_;
    NodeId next_id_ = 1;
    NodeId first_live_ = 1;
    std::int64_t steps_begun_ = 0;
    std::size_t live_steps_ = 0;
    std::size_t released_steps_ = 0;
    std::size_t records_ = 0;
    int no_record_depth_ = 0;
};

// Private access to Var's fields for the tape and the sweep.
struct VarAccess {
    static std::shared_ptr<TapeState> tape(const Var& v) { return v.tape_.lock(); }
    static NodeId node(const Var& v) { return v.node_; }
    static bool leaf(const Var& v) { return v.leaf_; }
    static void set_tangent(Var& v, Tensor t) { v.tangent_ = std::move(t); }
    static Var make(Tensor value, Tensor tangent, const std::shared_ptr<TapeState>& tape, NodeId node, bool leaf,
                    std::int64_t step) {
        Var v(std::move(value));
        v.tangent_ = std::move(tangent);
        v.tape_ = tape;
        v.node_ = node;
        v.leaf_ = leaf;
        v.step_ = step;
        return v;
    }
};

}  // namespace hypertape::detail
