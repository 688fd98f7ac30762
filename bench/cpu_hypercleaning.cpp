// CPU benchmark: one hypergradient of data hyper-cleaning at Fashion-MNIST's size per strategy,
// hypertape against PyTorch in one run, interleaved, each against the memory-bandwidth floor
// measured on this machine in the same run (bench/README.md says how to run it and what each
// column means).
//
// The problem, its data and the rows are bench/hypercleaning.hpp's; by default truncated1-T100,
// truncated5-T100, truncated25-T100, reverse-T100, reverse-T1000 and checkpointed10-T1000.
// PyTorch runs in one worker process (bench/peers/hypercleaning_torch.py --worker, started once):
// for each row, one warm-up run of each side, then --reps pairs of a hypertape run followed by a
// PyTorch run, so that the machine's drifts reach both sides alike. When the worker's Python
// cannot import torch, hypertape runs alone.
//
//   bench_cpu_hypercleaning [--rows ID,ID,...] [--reps N] [--threads N] [--json FILE]
//                           [--peer SCRIPT] [--python PATH] [--no-peer] [--stream-mib N]
#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>
#include <tbb/partitioner.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hypercleaning.hpp"
#include "peer_process.hpp"

namespace {

using namespace hypercleaning_bench;

constexpr const char* kProgram = "bench_cpu_hypercleaning";
constexpr const char* kDefaultRows =
    "truncated1-T100,truncated5-T100,truncated25-T100,reverse-T100,reverse-T1000,checkpointed10-T1000";
// Recorded steps whose saved bytes are averaged, on both sides.
constexpr int kProbeSteps = 5;
// Relative difference of f or |h| between the two sides beyond which they are flagged: 100 times
// the largest seen on every row (1.2e-7, float32 rounding in different summation orders); a
// different computation lands far above it.
constexpr double kAgreement = 1e-5;

struct Options {
    std::vector<Row> rows = select_rows(kDefaultRows, kProgram);
    int reps = 5;
    int threads = 2;
    std::string json;
    std::string peer = HYPERTAPE_BENCH_PEER;  // bench/peers/hypercleaning_torch.py, set by CMake
    std::string python = "/usr/bin/python3";  // Debian's, where python3-torch installs
    bool use_peer = true;
    std::int64_t stream_mib = 256;
};

int positive(const std::string& option, const char* value) {
    const int n = std::stoi(value);
    if (n < 1) hypertape::fail(kProgram, ": ", option, " must be at least 1, not ", value);
    return n;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--rows" && has_value) {
            o.rows = select_rows(argv[++i], kProgram);
        } else if (arg == "--reps" && has_value) {
            o.reps = positive(arg, argv[++i]);
        } else if (arg == "--threads" && has_value) {
            o.threads = positive(arg, argv[++i]);
        } else if (arg == "--json" && has_value) {
            o.json = argv[++i];
        } else if (arg == "--peer" && has_value) {
            o.peer = argv[++i];
        } else if (arg == "--python" && has_value) {
            o.python = argv[++i];
        } else if (arg == "--no-peer") {
            o.use_peer = false;
        } else if (arg == "--stream-mib" && has_value) {
            o.stream_mib = positive(arg, argv[++i]);
        } else {
            hypertape::fail(kProgram, ": unknown argument '", arg,
                            "' (use --rows ID,ID, --reps N, --threads N, --json FILE, --peer SCRIPT, --python PATH, "
                            "--no-peer, --stream-mib N)");
        }
    }
    if (o.use_peer && !std::filesystem::is_regular_file(o.peer)) {
        hypertape::fail(kProgram, ": no PyTorch peer script at ", o.peer, " (--peer SCRIPT, or --no-peer)");
    }
    return o;
}

// Where read_bandwidth keeps its sums, so that its reads cannot be optimised away.
volatile std::uint64_t read_sink = 0;

// Bytes per second of reading a `bytes`-byte buffer with the threads TBB may use, each thread
// summing its own contiguous part (the same part on every pass): the median of five batches after
// a warm-up batch, each batch whole passes over the buffer reading at least 1 GiB.
double read_bandwidth(std::size_t bytes) {
    const std::vector<std::uint64_t> buffer(bytes / sizeof(std::uint64_t), 1);
    const std::size_t passes = std::max<std::size_t>(1, (std::size_t{1} << 30) / bytes);
    const auto sum_part = [&](const tbb::blocked_range<std::size_t>& part, std::uint64_t sum) {
        for (std::size_t i = part.begin(); i != part.end(); ++i) sum += buffer[i];
        return sum;
    };
    std::vector<double> rates;
    std::uint64_t total = 0;
    for (int batch = 0; batch <= 5; ++batch) {
        const auto start = Clock::now();
        for (std::size_t pass = 0; pass < passes; ++pass) {
            total += tbb::parallel_reduce(tbb::blocked_range<std::size_t>(0, buffer.size()), std::uint64_t{0}, sum_part,
                                          std::plus<>(), tbb::static_partitioner());
        }
        const double seconds = seconds_since(start);
        if (batch > 0) rates.push_back(static_cast<double>(buffer.size() * sizeof(std::uint64_t) * passes) / seconds);
    }
    read_sink = total;
    return median(rates);
}

// The 1-minute load average: how busy the machine was beside the benchmark (NaN where unknown).
double load_average() {
    double load = 0;
    return getloadavg(&load, 1) == 1 ? load : std::nan("");
}

// Saved bytes and records per recorded inner step.
struct StepCost {
    double bytes = 0;
    double records = 0;  // hypertape's records; PyTorch's saved tensors
};

// hypertape's cost of one recorded step: a tape that keeps every step runs 1 and then kProbeSteps
// more steps of `problem`; the growth of its saved bytes (distinct tensor blocks, TapeStats) and
// records over kProbeSteps. X is saved from the first step on, so the data drops out, as it does
// in the PyTorch worker's probe.
StepCost hypertape_step_cost(const ht::Problem& problem) {
    ht::Tape tape;
    const ht::Var lambda = tape.variable(ht::Tensor::zeros({kExamples}, ht::f32));
    ht::State state{tape.variable(problem.init(lambda)[0].value())};
    const auto advance = [&](int t) {
        const auto step = tape.step();
        state = problem.step(state, lambda, t);
    };
    advance(0);
    const ht::TapeStats first = tape.stats();
    for (int t = 1; t <= kProbeSteps; ++t) advance(t);
    const ht::TapeStats last = tape.stats();
    return {static_cast<double>(last.saved_bytes - first.saved_bytes) / kProbeSteps,
            static_cast<double>(last.records - first.records) / kProbeSteps};
}

// One timed hypergradient, from either side.
struct Run {
    double seconds = 0;
    double outer_loss = 0;
    double hypergradient_norm = 0;
};

// The PyTorch worker: started once, asked for one run at a time.
class TorchPeer {
public:
    // Null, after printing why, when the worker cannot run: no Python, or no torch in it.
    static std::unique_ptr<TorchPeer> start(const Options& o) {
        const std::vector<std::string> command = {
            o.python, o.peer, "--worker", "--device", "cpu", "--threads", std::to_string(o.threads)};
        // PyTorch at its best here: its OpenMP threads spin between parallel regions by default,
        // which cost it 2.5x on this 2-core machine even when idle (Truncated{5}, T = 100: 1.42 s
        // against 0.56 s passive). A policy the caller set is kept.
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        std::unique_ptr<PeerProcess> process;
        try {
            process = std::make_unique<PeerProcess>(command);
        } catch (const hypertape::Error& e) {
            std::printf("PyTorch: not run (%s); hypertape alone\n", e.what());
            return nullptr;
        }
        const std::optional<std::string> hello = process->read_line();
        if (!hello) {
            std::printf("PyTorch: not run (%s %s exited without answering); hypertape alone\n", o.python.c_str(),
                        o.peer.c_str());
            return nullptr;
        }
        if (const auto error = json_string(*hello, "error")) {
            std::printf("PyTorch: not run (%s); hypertape alone\n", error->c_str());
            return nullptr;
        }
        const auto version = json_string(*hello, "torch");
        const auto threads = json_number(*hello, "threads");
        const auto wait_policy = json_string(*hello, "omp_wait_policy");
        if (!version || !threads || !wait_policy) hypertape::fail(kProgram, ": the PyTorch worker said '", *hello, "'");
        return std::unique_ptr<TorchPeer>(
            new TorchPeer(std::move(process), *version, static_cast<int>(*threads), *wait_policy));
    }

    const std::string& version() const { return version_; }
    int threads() const { return threads_; }
    // OMP_WAIT_POLICY as the worker saw it: how PyTorch's OpenMP threads wait between parallel
    // regions, which matters on a loaded machine (bench/README.md).
    const std::string& wait_policy() const { return wait_policy_; }

    Run run(const Row& row) {
        const std::string answer = ask("run " + row.id);
        return {field(answer, "seconds"), field(answer, "outer_loss"), field(answer, "hypergradient_norm")};
    }

    StepCost step_cost() {
        const std::string answer = ask("probe " + std::to_string(kProbeSteps));
        return {field(answer, "saved_bytes_per_step"), field(answer, "saved_tensors_per_step")};
    }

private:
    TorchPeer(std::unique_ptr<PeerProcess> process, std::string version, int threads, std::string wait_policy)
        : process_(std::move(process)),
          version_(std::move(version)),
          threads_(threads),
          wait_policy_(std::move(wait_policy)) {}

    std::string ask(const std::string& request) {
        const std::optional<std::string> answer = process_->request(request);
        if (!answer) hypertape::fail(kProgram, ": the PyTorch worker exited on '", request, "'");
        if (const auto error = json_string(*answer, "error")) {
            hypertape::fail(kProgram, ": the PyTorch worker, on '", request, "': ", *error);
        }
        return *answer;
    }

    static double field(const std::string& answer, const std::string& key) {
        const std::optional<double> value = json_number(answer, key);
        if (!value) hypertape::fail(kProgram, ": the PyTorch worker's answer '", answer, "' has no number ", key);
        return *value;
    }

    std::unique_ptr<PeerProcess> process_;
    std::string version_;
    int threads_;
    std::string wait_policy_;
};

Run run_hypertape(const ht::Problem& problem, const ht::Tensor& lambda, const Row& row, ht::Report& report) {
    const auto start = Clock::now();
    const ht::HypergradientResult r = ht::hypergradient(problem, lambda, row.strategy);
    const double seconds = seconds_since(start);
    report = r.report;
    return {seconds, r.outer_loss, std::sqrt(ht::squared_norm(ht::Var(r.value)).item())};
}

struct Side {
    std::vector<double> seconds;
    Run last;  // f and |h| of the last run
    double median_seconds() const { return median(seconds); }
};

struct Measurement {
    const Row* row = nullptr;
    ht::Report report;
    Side hypertape;
    std::optional<Side> torch;
    double floor_bytes = 0;
};

double relative_difference(double a, double b) { return std::abs(a - b) / std::max(std::abs(a), std::abs(b)); }

bool agree(const Measurement& m) {
    return relative_difference(m.hypertape.last.outer_loss, m.torch->last.outer_loss) <= kAgreement &&
           relative_difference(m.hypertape.last.hypergradient_norm, m.torch->last.hypergradient_norm) <= kAgreement;
}

// hypertape seconds over PyTorch seconds of each pair.
std::vector<double> pair_ratios(const Measurement& m) {
    std::vector<double> ratios;
    for (std::size_t i = 0; i < m.hypertape.seconds.size(); ++i) {
        ratios.push_back(m.hypertape.seconds[i] / m.torch->seconds[i]);
    }
    return ratios;
}

Measurement measure(const Row& row, const Data& d, int reps, TorchPeer* torch) {
    const ht::Problem problem = make_problem(d, row.steps);
    const ht::Tensor lambda = ht::Tensor::zeros({kExamples}, ht::f32);
    Measurement m;
    m.row = &row;
    if (torch != nullptr) m.torch.emplace();
    for (int i = 0; i <= reps; ++i) {  // i == 0: the warm-ups
        const Run ours = run_hypertape(problem, lambda, row, m.report);
        if (i > 0) m.hypertape.seconds.push_back(ours.seconds);
        m.hypertape.last = ours;
        if (torch == nullptr) continue;
        const Run theirs = torch->run(row);
        if (i > 0) m.torch->seconds.push_back(theirs.seconds);
        m.torch->last = theirs;
    }
    m.floor_bytes = floor_bytes(d, m.report.step_evaluations);
    return m;
}

struct Bandwidths {
    std::size_t memory_buffer_bytes = 0, cache_buffer_bytes = 0;
    double memory = 0, cache = 0;  // bytes per second
};

void print_header() {
    std::printf("%-21s %5s %6s %9s %9s %8s %13s %9s %10s %11s\n", "row", "T", "evals", "ht s", "torch s", "ht/torch",
                "pairs", "tape MiB", "floor mem", "floor cache");
}

void print_row(const Measurement& m, const Bandwidths& bw) {
    const double seconds = m.hypertape.median_seconds();
    std::printf("%-21s %5d %6lld %9.4f ", m.row->id.c_str(), m.row->steps, m.report.step_evaluations, seconds);
    if (m.torch) {
        const std::vector<double> ratios = pair_ratios(m);
        const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
        std::printf("%9.4f %8.2f %6.2f..%-5.2f ", m.torch->median_seconds(), seconds / m.torch->median_seconds(), *low,
                    *high);
    } else {
        std::printf("%9s %8s %13s ", "-", "-", "-");
    }
    std::printf("%9.1f %9.1f%% %10.1f%%\n", mib(m.report.tape_peak_bytes), 100 * m.floor_bytes / bw.memory / seconds,
                100 * m.floor_bytes / bw.cache / seconds);
    std::fflush(stdout);
}

// f and |h| of both sides, and whether they agree; returns false when some row does not.
bool print_agreement(const std::vector<Measurement>& ms) {
    std::printf("\nsame computation? f and |h| of each side's last run (flagged beyond a relative %.0e)\n", kAgreement);
    std::printf("%-21s %11s %11s %12s %12s %9s %9s\n", "row", "f ht", "f torch", "|h| ht", "|h| torch", "f diff",
                "|h| diff");
    bool all = true;
    for (const Measurement& m : ms) {
        const Run& a = m.hypertape.last;
        const Run& b = m.torch->last;
        const bool same = agree(m);
        all = all && same;
        std::printf("%-21s %11.8f %11.8f %12.6e %12.6e %9.2e %9.2e%s\n", m.row->id.c_str(), a.outer_loss, b.outer_loss,
                    a.hypergradient_norm, b.hypergradient_norm, relative_difference(a.outer_loss, b.outer_loss),
                    relative_difference(a.hypergradient_norm, b.hypergradient_norm), same ? "" : "  MISMATCH");
    }
    return all;
}

void write_seconds(std::FILE* f, const Side& s) {
    std::fprintf(f, "{\"seconds\": %.6e, \"seconds_all\": [", s.median_seconds());
    for (std::size_t k = 0; k < s.seconds.size(); ++k) std::fprintf(f, "%s%.6e", k ? ", " : "", s.seconds[k]);
    std::fprintf(f, "], \"outer_loss\": %.9e, \"hypergradient_norm\": %.9e}", s.last.outer_loss,
                 s.last.hypergradient_norm);
}

void write_json(const std::string& path, const Options& o, const Bandwidths& bw, const double (&load)[2],
                const TorchPeer* torch, const StepCost& ours, const std::optional<StepCost>& theirs,
                const std::vector<Measurement>& ms) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) hypertape::fail(kProgram, ": cannot write ", path);
    std::fprintf(f,
                 "{\"device\": \"cpu\", \"threads\": %d, \"reps\": %d, \"load_average_start\": %.2f, "
                 "\"load_average_end\": %.2f, \"torch\": ",
                 o.threads, o.reps, load[0], load[1]);
    if (torch != nullptr) {
        std::fprintf(f, "\"%s\", \"torch_omp_wait_policy\": \"%s\"", torch->version().c_str(),
                     torch->wait_policy().c_str());
    } else {
        std::fprintf(f, "null");
    }
    std::fprintf(f,
                 ",\n \"read_bandwidth\": {\"memory_buffer_bytes\": %zu, \"memory_bytes_per_s\": %.6e, "
                 "\"cache_buffer_bytes\": %zu, \"cache_bytes_per_s\": %.6e},\n",
                 bw.memory_buffer_bytes, bw.memory, bw.cache_buffer_bytes, bw.cache);
    std::fprintf(f, " \"saved_per_recorded_step\": {\"hypertape_bytes\": %.6e, \"hypertape_records\": %.3f", ours.bytes,
                 ours.records);
    if (theirs) {
        std::fprintf(f, ", \"torch_bytes\": %.6e, \"torch_tensors\": %.3f", theirs->bytes, theirs->records);
    }
    std::fprintf(f, "},\n \"rows\": [");
    for (std::size_t i = 0; i < ms.size(); ++i) {
        const Measurement& m = ms[i];
        const double seconds = m.hypertape.median_seconds();
        std::fprintf(f, "%s\n  {\"row\": \"%s\", \"strategy\": \"%s\", \"T\": %d, \"step_evaluations\": %lld, ",
                     i ? "," : "", m.row->id.c_str(), m.row->strategy_name.c_str(), m.row->steps,
                     m.report.step_evaluations);
        std::fprintf(f,
                     "\"tape_peak_bytes\": %zu, \"snapshot_peak_bytes\": %zu, \"floor_bytes\": %.6e, "
                     "\"floor_fraction_memory\": %.6e, \"floor_fraction_cache\": %.6e,\n   \"hypertape\": ",
                     m.report.tape_peak_bytes, m.report.snapshot_peak_bytes, m.floor_bytes,
                     m.floor_bytes / bw.memory / seconds, m.floor_bytes / bw.cache / seconds);
        write_seconds(f, m.hypertape);
        if (m.torch) {
            const std::vector<double> ratios = pair_ratios(m);
            const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
            std::fprintf(f, ",\n   \"torch\": ");
            write_seconds(f, *m.torch);
            std::fprintf(f,
                         ",\n   \"ratio_hypertape_over_torch\": %.6e, \"pair_ratio_min\": %.6e, "
                         "\"pair_ratio_max\": %.6e, \"agree\": %s}",
                         seconds / m.torch->median_seconds(), *low, *high, agree(m) ? "true" : "false");
        } else {
            std::fprintf(f, ", \"torch\": null}");
        }
    }
    std::fprintf(f, "\n]}\n");
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        const double load_at_start = load_average();
        ht::set_num_threads(o.threads);
        const Data data = make_data(ht::Device::cpu());
        std::printf(
            "data hyper-cleaning on the CPU, %d threads: X [%lld, %lld] float32 (%.1f MB), validation [%lld, %lld], "
            "W [%lld, %lld], lambda [%lld], gamma %.2f, beta %.0e\n",
            o.threads, static_cast<long long>(kExamples), static_cast<long long>(kFeatures),
            static_cast<double>(data.X.nbytes()) / 1e6, static_cast<long long>(kExamples),
            static_cast<long long>(kFeatures), static_cast<long long>(kClasses), static_cast<long long>(kFeatures),
            static_cast<long long>(kExamples), kGamma, kBeta);

        Bandwidths bw;
        bw.memory_buffer_bytes = static_cast<std::size_t>(o.stream_mib) << 20;
        bw.cache_buffer_bytes = data.X.nbytes();
        bw.memory = read_bandwidth(bw.memory_buffer_bytes);
        bw.cache = read_bandwidth(bw.cache_buffer_bytes);
        std::printf(
            "read bandwidth, %d threads: %.1f GB/s over %lld MiB (memory), %.1f GB/s over X's %.1f MB (cache)\n",
            o.threads, bw.memory / 1e9, static_cast<long long>(o.stream_mib), bw.cache / 1e9,
            static_cast<double>(bw.cache_buffer_bytes) / 1e6);

        std::unique_ptr<TorchPeer> torch = o.use_peer ? TorchPeer::start(o) : nullptr;
        if (!o.use_peer) std::printf("PyTorch: not run (--no-peer); hypertape alone\n");
        if (torch) {
            std::printf("PyTorch %s, %d threads, OMP_WAIT_POLICY %s (%s %s --worker)\n", torch->version().c_str(),
                        torch->threads(), torch->wait_policy().c_str(), o.python.c_str(), o.peer.c_str());
        }

        const StepCost ours = hypertape_step_cost(make_problem(data, kProbeSteps + 1));
        std::optional<StepCost> theirs;
        if (torch) theirs = torch->step_cost();
        std::printf("saved per recorded step, data excluded: hypertape %.3f MB (%.0f records)", ours.bytes / 1e6,
                    ours.records);
        if (theirs) {
            std::printf(", PyTorch %.3f MB (%.0f saved tensors), hypertape/PyTorch %.2f", theirs->bytes / 1e6,
                        theirs->records, ours.bytes / theirs->bytes);
        }
        std::printf("\n%s; medians of %d runs after a warm-up\n\n",
                    torch ? "interleaved: per row, pairs of a hypertape run and a PyTorch run" : "hypertape alone",
                    o.reps);

        print_header();
        std::fflush(stdout);
        std::vector<Measurement> results;
        for (const Row& row : o.rows) {
            results.push_back(measure(row, data, o.reps, torch.get()));
            print_row(results.back(), bw);
        }
        const double load[2] = {load_at_start, load_average()};
        std::printf("load average (1 minute) %.2f at the start, %.2f at the end, on %u cores\n", load[0], load[1],
                    std::thread::hardware_concurrency());
        const bool same = !torch || print_agreement(results);
        if (!o.json.empty()) write_json(o.json, o, bw, load, torch.get(), ours, theirs, results);
        if (!same) {
            std::fprintf(stderr, "%s: hypertape and PyTorch disagree on f or |h| (MISMATCH above)\n", kProgram);
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
