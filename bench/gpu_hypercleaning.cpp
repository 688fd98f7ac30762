// GPU benchmark: one hypergradient of data hyper-cleaning at Fashion-MNIST's size, per strategy, on
// CUDA device 0, against the memory-bandwidth floor of the computation (docs/gpu.md).
//
// The problem, its data and the rows are bench/hypercleaning.hpp's (FP32 products, no TF32).
//
// Rows (--rows selects any of hypercleaning.hpp's): by default truncated5-T100, reverse-T100
// (Truncated{5} and Reverse at T = 100), truncated5-T1000, reverse-T1000, checkpointed10-T1000
// (Checkpointed::binomial(10)) at T = 1000. Each row: one warm-up hypergradient, then the median
// wall time of --reps more (default 5), each between two device synchronisations. Reported per
// row: seconds, the device allocator's peak bytes (reset before each run; data, cuBLAS workspace
// and everything the run allocates), the Report's tape and snapshot peaks, the waits for the
// device inside one hypergradient (device_sync_counters(); inner steps add none), and the fraction
// of the bandwidth floor achieved: floor_bytes (hypercleaning.hpp: 2 * evaluations * X.nbytes() +
// 2 * Xval.nbytes()) divided by the device's copy bandwidth measured here (clones of a --copy-mib
// MiB tensor, bytes read plus written), over the measured time. X (15.7 MB) fits in an H100's
// 50 MB L2, so its re-reads may come from there and the fraction can exceed 100%: it measures how
// far a run is from streaming its operands at copy speed.
//
//   bench_gpu_hypercleaning [--rows ID,ID,...] [--reps N] [--json FILE] [--device cuda|cpu]
//                           [--copy-mib N]
// With --device cuda (the default) and no CUDA device it prints "no CUDA device" and exits 0;
// --device cpu runs the same rows on the CPU.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "hypercleaning.hpp"

namespace {

using namespace hypercleaning_bench;

// Rows run when --rows is not given.
constexpr const char* kDefaultRows = "truncated5-T100,reverse-T100,truncated5-T1000,reverse-T1000,checkpointed10-T1000";

struct Options {
    std::vector<Row> rows = select_rows(kDefaultRows, "bench_gpu_hypercleaning");
    int reps = 5;
    std::string json;
    ht::Device device = ht::Device::cuda(0);
    std::int64_t copy_mib = 1024;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--rows" && has_value) {
            o.rows = select_rows(argv[++i], "bench_gpu_hypercleaning");
        } else if (arg == "--reps" && has_value) {
            o.reps = std::max(1, std::stoi(argv[++i]));
        } else if (arg == "--json" && has_value) {
            o.json = argv[++i];
        } else if (arg == "--device" && has_value) {
            const std::string name = argv[++i];
            if (name != "cuda" && name != "cpu") throw ht::Error("bench_gpu_hypercleaning: --device cuda or cpu");
            o.device = name == "cuda" ? ht::Device::cuda(0) : ht::Device::cpu();
        } else if (arg == "--copy-mib" && has_value) {
            o.copy_mib = std::max(1LL, std::stoll(argv[++i]));
        } else {
            throw ht::Error("bench_gpu_hypercleaning: unknown argument '" + arg +
                            "' (use --rows ID,ID, --reps N, --json FILE, --device cuda|cpu, --copy-mib N)");
        }
    }
    return o;
}

// Waits for the device: item() copies a scalar made after all queued work, so it waits for that work.
void synchronize(ht::Device device) { ht::Tensor::scalar(0, ht::f32, device).item(); }

// Bytes per second of clone() on `device`, counting bytes read plus bytes written: the median of
// five batches of ten copies of a `mib` MiB tensor, after one warm-up batch.
double copy_bandwidth(ht::Device device, std::int64_t mib) {
    constexpr int kBatches = 5, kCopies = 10;
    std::vector<double> rates;
    {
        const ht::Tensor source = ht::Tensor::full({mib << 18}, 1.0, ht::f32, device);
        for (int b = 0; b <= kBatches; ++b) {
            synchronize(device);
            const auto start = Clock::now();
            for (int c = 0; c < kCopies; ++c) {
                const ht::Tensor copy = source.clone();
            }
            synchronize(device);
            if (b > 0) rates.push_back(2.0 * static_cast<double>(source.nbytes()) * kCopies / seconds_since(start));
        }
    }
    ht::allocator_for(device).release_cache();
    return median(rates);
}

struct Measurement {
    const Row* row = nullptr;
    std::vector<double> seconds;
    double median_seconds = 0;
    std::size_t device_peak_bytes = 0;
    ht::Report report;
    std::uint64_t synchronizations = 0;  // waits for the device inside one hypergradient
    double floor_bytes = 0;
    double floor_fraction = 0;
    double outer_loss = 0;
    double hypergradient_norm = 0;
};

Measurement measure(const Row& row, const Data& d, int reps, double bandwidth) {
    const ht::Problem problem = make_problem(d, row.steps);
    const ht::Device device = d.X.device();
    const ht::Tensor lambda = ht::Tensor::zeros({kExamples}, ht::f32, device);
    ht::Allocator& allocator = ht::allocator_for(device);
    Measurement m;
    m.row = &row;
    for (int i = 0; i <= reps; ++i) {  // i == 0: the warm-up
        allocator.reset_peak();
        synchronize(device);
        const auto start = Clock::now();
        const std::uint64_t syncs_before = ht::device_sync_counters().synchronizations;
        const ht::HypergradientResult r = ht::hypergradient(problem, lambda, row.strategy);
        const std::uint64_t syncs = ht::device_sync_counters().synchronizations - syncs_before;
        synchronize(device);
        const double seconds = seconds_since(start);
        if (i == 0) continue;
        m.seconds.push_back(seconds);
        m.synchronizations = syncs;
        m.device_peak_bytes = std::max(m.device_peak_bytes, allocator.counters().peak_bytes);
        m.report = r.report;
        m.outer_loss = r.outer_loss;
        m.hypergradient_norm = std::sqrt(ht::squared_norm(ht::Var(r.value)).item());
    }
    m.median_seconds = median(m.seconds);
    m.floor_bytes = floor_bytes(d, m.report.step_evaluations);
    m.floor_fraction = m.floor_bytes / bandwidth / m.median_seconds;
    return m;
}

void print_row(const Measurement& m) {
    std::printf("%-21s %-27s %5d %6lld %9.4f %10.1f %10.1f %10.1f %6llu %8.2f %7.2f%% %9.6f %10.4e\n",
                m.row->id.c_str(), m.row->strategy_name.c_str(), m.row->steps, m.report.step_evaluations,
                m.median_seconds, mib(m.device_peak_bytes), mib(m.report.tape_peak_bytes),
                mib(m.report.snapshot_peak_bytes), static_cast<unsigned long long>(m.synchronizations),
                m.floor_bytes / 1e9, 100 * m.floor_fraction, m.outer_loss, m.hypergradient_norm);
    std::fflush(stdout);
}

void write_json(const std::string& path, const Options& o, double bandwidth, const std::vector<Measurement>& ms) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw ht::Error("bench_gpu_hypercleaning: cannot write " + path);
    std::fprintf(f, "{\"implementation\": \"hypertape\", \"device\": \"%s\", \"copy_bandwidth_bytes_per_s\": %.6e,\n",
                 o.device.name().c_str(), bandwidth);
    std::fprintf(f, " \"rows\": [");
    for (std::size_t i = 0; i < ms.size(); ++i) {
        const Measurement& m = ms[i];
        std::fprintf(f, "%s\n  {\"row\": \"%s\", \"strategy\": \"%s\", \"T\": %d, \"step_evaluations\": %lld, ",
                     i ? "," : "", m.row->id.c_str(), m.row->strategy_name.c_str(), m.row->steps,
                     m.report.step_evaluations);
        std::fprintf(f, "\"seconds\": %.6e, \"seconds_all\": [", m.median_seconds);
        for (std::size_t k = 0; k < m.seconds.size(); ++k) std::fprintf(f, "%s%.6e", k ? ", " : "", m.seconds[k]);
        std::fprintf(f,
                     "], \"device_peak_bytes\": %zu, \"tape_peak_bytes\": %zu, \"snapshot_peak_bytes\": %zu, "
                     "\"synchronizations\": %llu, \"floor_bytes\": %.6e, \"floor_fraction\": %.6e, "
                     "\"outer_loss\": %.9e, \"hypergradient_norm\": %.9e}",
                     m.device_peak_bytes, m.report.tape_peak_bytes, m.report.snapshot_peak_bytes,
                     static_cast<unsigned long long>(m.synchronizations), m.floor_bytes, m.floor_fraction, m.outer_loss,
                     m.hypergradient_norm);
    }
    std::fprintf(f, "\n]}\n");
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        if (o.device.kind == ht::Device::Kind::cuda && ht::cuda_device_count() == 0) {
            std::printf("no CUDA device\n");
            return 0;
        }
        const ht::Device device = o.device;
        const Data data = make_data(device);
        const double bandwidth = copy_bandwidth(device, o.copy_mib);
        std::printf(
            "data hyper-cleaning on %s: X [%lld, %lld] float32 (%.1f MB), validation [%lld, %lld], W [%lld, %lld], "
            "lambda [%lld], gamma %.2f, beta %.0e, FP32 products\n",
            device.name().c_str(), static_cast<long long>(kExamples), static_cast<long long>(kFeatures),
            static_cast<double>(data.X.nbytes()) / 1e6, static_cast<long long>(kExamples),
            static_cast<long long>(kFeatures), static_cast<long long>(kClasses), static_cast<long long>(kFeatures),
            static_cast<long long>(kExamples), kGamma, kBeta);
        std::printf(
            "copy bandwidth %.1f GB/s (clone of %lld MiB, bytes read + written); median of %d runs after a warm-up\n\n",
            bandwidth / 1e9, static_cast<long long>(o.copy_mib), o.reps);
        std::printf("%-21s %-27s %5s %6s %9s %10s %10s %10s %6s %8s %8s %9s %10s\n", "row", "strategy", "T", "evals",
                    "seconds", "peak MiB", "tape MiB", "snap MiB", "syncs", "floor GB", "floor", "f", "|h|");
        std::vector<Measurement> results;
        for (const Row& row : o.rows) {
            results.push_back(measure(row, data, o.reps, bandwidth));
            print_row(results.back());
        }
        if (!o.json.empty()) write_json(o.json, o, bandwidth, results);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
