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
#include <unordered_map>

#include "hypertape/tape/tape.hpp"

namespace hypertape::detail {

using VarList = boost::container::small_vector<Var, 3>;
// needs[i]: whether operand i wants a gradient (a VJP may skip the others).
using NeedsGrad = boost::container::small_vector<bool, 3>;
// One entry per operand; an undefined Var means "no gradient" (zero).
using Grads = VarList;
using VjpFn = std::function<Grads(const Var& grad_out, const VarList& saved, const NeedsGrad& needs)>;

struct InputRef {
    NodeId node = 0;  // 0 for a constant operand
    bool leaf = false;
};

struct Record {
    const char* op = "";
    NodeId output = 0;
    boost::container::small_vector<InputRef, 3> inputs;
    VarList saved;
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
    // Appends a record; returns the result Var (with `value`, `tangent`).
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
