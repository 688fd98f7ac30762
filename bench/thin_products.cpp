// The thin products of one hypercleaning inner step (X [5000, 785], W [10, 785], G [5000, 10]) by
// each candidate that could run them: OpenBLAS and BLIS through cblas_?gemm, at one thread and at
// all of them, and hypertape's thin kernels (ops/cpu/thin_product.hpp) for each instruction set
// this CPU runs. Prints the median seconds of --reps calls and the rate at which the big operand
// (X, or its transpose) is read, in GB/s: the kernels read it once, so this is their bandwidth.
//
// BLIS is loaded at run time from libblis.so.4 (Debian's libblis4-pthread; its cblas symbols
// would clash with OpenBLAS's at link time) and is skipped where it is not installed.
//
//   bench_thin_products [--reps N] [--threads N]
#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <hypertape/hypertape.hpp>
#include <hypertape/ops/cpu/thin_product.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace cpu = hypertape::cpu;
using i64 = std::int64_t;

// One product c = op(a) op(b) of the step, with its cblas sizes.
struct Shape {
    const char* name;
    bool ta, tb;
    i64 m, n, k;
};

// X W^T (logits), G^T X (the weight gradient), and the two other layouts the thin kernels take:
// W X^T (thin rows, b transposed) and X^T G (thin columns, a transposed).
const Shape kShapes[] = {
    {"X W^T   [5000,10]", false, true, 5000, 10, 785},
    {"G^T X   [10,785]", true, false, 10, 785, 5000},
    {"W X^T   [10,5000]", false, true, 10, 5000, 785},
    {"X^T G   [785,10]", true, false, 785, 10, 5000},
};

template <class T>
using Gemm = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, T, const T*, blasint,
                      const T*, blasint, T, T*, blasint);

// BLIS's cblas entry points, from its own library loaded beside OpenBLAS.
struct Blis {
    Blis() {
        handle = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (handle == nullptr) return;
        sgemm = reinterpret_cast<Gemm<float>>(dlsym(handle, "cblas_sgemm"));
        dgemm = reinterpret_cast<Gemm<double>>(dlsym(handle, "cblas_dgemm"));
        set_threads = reinterpret_cast<void (*)(int)>(dlsym(handle, "bli_thread_set_num_threads"));
    }
    bool present() const { return sgemm != nullptr && dgemm != nullptr && set_threads != nullptr; }
    Gemm<float> gemm(float) const { return sgemm; }
    Gemm<double> gemm(double) const { return dgemm; }

    void* handle = nullptr;
    Gemm<float> sgemm = nullptr;
    Gemm<double> dgemm = nullptr;
    void (*set_threads)(int) = nullptr;
};

Gemm<float> openblas(float) { return &cblas_sgemm; }
Gemm<double> openblas(double) { return &cblas_dgemm; }

template <class T>
void call(Gemm<T> gemm, const Shape& s, const T* a, const T* b, T* c) {
    gemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, static_cast<blasint>(s.m),
         static_cast<blasint>(s.n), static_cast<blasint>(s.k), T(1), a, static_cast<blasint>(s.ta ? s.m : s.k), b,
         static_cast<blasint>(s.tb ? s.k : s.n), T(0), c, static_cast<blasint>(s.n));
}

// Median seconds of `reps` calls, after three unmeasured ones.
double median_seconds(int reps, const std::function<void()>& f) {
    for (int i = 0; i < 3; ++i) f();
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
    return t[static_cast<std::size_t>(reps / 2)];
}

template <class T>
void run(const char* dtype, int reps, int threads, const Blis& blis) {
    std::mt19937_64 rng(0);
    std::uniform_real_distribution<T> uniform(-1, 1);
    for (const Shape& s : kShapes) {
        std::vector<T> a(static_cast<std::size_t>(s.m * s.k)), b(static_cast<std::size_t>(s.k * s.n));
        std::vector<T> c(static_cast<std::size_t>(s.m * s.n));
        for (T& x : a) x = uniform(rng);
        for (T& x : b) x = uniform(rng);
        const double big_bytes = static_cast<double>(std::max(a.size(), b.size()) * sizeof(T));
        const auto report = [&](const std::string& who, double seconds) {
            std::printf("%-7s %-18s %-26s %10.1f us %8.1f GB/s\n", dtype, s.name, who.c_str(), seconds * 1e6,
                        big_bytes / seconds / 1e9);
        };
        for (const int t : {1, threads}) {
            const std::string at = std::string(" ").append(std::to_string(t)).append("t");
            openblas_set_num_threads(t);
            report("openblas" + at,
                   median_seconds(reps, [&] { call(openblas(T()), s, a.data(), b.data(), c.data()); }));
            openblas_set_num_threads(1);
            if (blis.present()) {
                blis.set_threads(t);
                report("blis" + at,
                       median_seconds(reps, [&] { call(blis.gemm(T()), s, a.data(), b.data(), c.data()); }));
            }
            hypertape::set_num_threads(t);
            for (const auto& [isa, name] :
                 {std::pair{cpu::ThinIsa::sse4, "thin sse4"}, std::pair{cpu::ThinIsa::avx2, "thin avx2"},
                  std::pair{cpu::ThinIsa::avx512, "thin avx512"}}) {
                if (!cpu::supports(isa)) continue;
                report(name + at, median_seconds(reps, [&] {
                           cpu::thin_gemm(s.ta, s.tb, s.m, s.n, s.k, a.data(), b.data(), c.data(), isa);
                       }));
            }
            if (threads == 1) break;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 50;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--reps") {
            reps = std::max(1, std::stoi(argv[i + 1]));
        } else if (arg == "--threads") {
            threads = std::max(1, std::stoi(argv[i + 1]));
        } else {
            std::fprintf(stderr, "bench_thin_products: unknown option '%s' (use --reps N, --threads N)\n", argv[i]);
            return 2;
        }
    }
    hypertape::num_threads();  // sets OpenBLAS to one thread; each row below sets its own count
    const Blis blis;
    std::printf("%d reps, median; %s; thin kernels: best instruction set here is %s\n", reps,
                blis.present() ? "BLIS from libblis.so.4" : "BLIS not installed (libblis4-pthread)",
                cpu::best_thin_isa() == cpu::ThinIsa::avx512 ? "avx512"
                : cpu::best_thin_isa() == cpu::ThinIsa::avx2 ? "avx2"
                                                             : "sse4");
    run<float>("float32", reps, threads, blis);
    run<double>("float64", reps, threads, blis);
}
