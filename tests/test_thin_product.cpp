// The thin-product kernels (ops/cpu/thin_product.hpp) against a float64 sum, for every
// transposition, thin side, dtype and instruction set this CPU runs, and their determinism: the
// same bits at any thread count and whichever tile or task computes an element.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <hypertape/hypertape.hpp>
#include <hypertape/ops/cpu/thin_product.hpp>
#include <hypertape/tape/threads.hpp>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace hypertape;
using cpu::ThinIsa;

namespace {

const ThinIsa kIsas[] = {ThinIsa::sse4, ThinIsa::avx2, ThinIsa::avx512};

const char* isa_name(ThinIsa isa) { return isa == ThinIsa::avx512 ? "avx512" : isa == ThinIsa::avx2 ? "avx2" : "sse4"; }

template <class T>
std::vector<T> uniform(std::int64_t count, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<T> v(static_cast<std::size_t>(count));
    for (T& x : v) x = static_cast<T>(u(rng));
    return v;
}

// One product c = op(a) op(b) with cblas sizes and packed row-major operands.
template <class T>
struct Product {
    Product(bool ta_, bool tb_, std::int64_t m_, std::int64_t n_, std::int64_t k_, std::mt19937_64& rng)
        : ta(ta_), tb(tb_), m(m_), n(n_), k(k_), a(uniform<T>(m * k, rng)), b(uniform<T>(k * n, rng)) {}

    T a_at(std::int64_t i, std::int64_t p) const {
        return ta ? a[static_cast<std::size_t>(p * m + i)] : a[static_cast<std::size_t>(i * k + p)];
    }
    T b_at(std::int64_t p, std::int64_t j) const {
        return tb ? b[static_cast<std::size_t>(j * k + p)] : b[static_cast<std::size_t>(p * n + j)];
    }

    std::vector<T> thin(ThinIsa isa) const {
        std::vector<T> c(static_cast<std::size_t>(m * n), std::numeric_limits<T>::quiet_NaN());
        cpu::thin_gemm(ta, tb, m, n, k, a.data(), b.data(), c.data(), isa);
        return c;
    }

    // The largest error of c against a float64 sum, over the error a float sum of k products may
    // make: (k + 2) eps sum_p |a_ip b_pj| (plus the smallest normal, for sums that are all zero).
    double worst_error_ratio(const std::vector<T>& c) const {
        double worst = 0;
        for (std::int64_t i = 0; i < m; ++i) {
            for (std::int64_t j = 0; j < n; ++j) {
                double sum = 0, magnitude = 0;
                for (std::int64_t p = 0; p < k; ++p) {
                    const double x = static_cast<double>(a_at(i, p)) * static_cast<double>(b_at(p, j));
                    sum += x;
                    magnitude += std::abs(x);
                }
                const double bound = static_cast<double>(k + 2) * std::numeric_limits<T>::epsilon() * magnitude +
                                     std::numeric_limits<double>::min();
                const double error = std::abs(static_cast<double>(c[static_cast<std::size_t>(i * n + j)]) - sum);
                worst = std::max(worst, std::isnan(error) ? std::numeric_limits<double>::infinity() : error / bound);
            }
        }
        return worst;
    }

    bool ta, tb;
    std::int64_t m, n, k;
    std::vector<T> a, b;
};

template <class T>
bool same_bits(const std::vector<T>& x, const std::vector<T>& y) {
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0;
}

// Restores the thread count a test changed.
struct ThreadsGuard {
    ~ThreadsGuard() { set_num_threads(saved); }
    int saved = num_threads();
};

template <class T>
void check_small_shapes() {
    std::mt19937_64 rng(11);
    for (const ThinIsa isa : kIsas) {
        if (!cpu::supports(isa)) continue;
        for (const std::int64_t thin : {1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 15, 16}) {
            for (const std::int64_t k : {1, 3, 8, 17, 33, 100, 300}) {
                for (const std::int64_t big : {1, 5, 17, 40}) {
                    for (int flags = 0; flags < 8; ++flags) {
                        const bool ta = flags & 1, tb = flags & 2, thin_rows = flags & 4;
                        const std::int64_t m = thin_rows ? thin : big, n = thin_rows ? big : thin;
                        const Product<T> p(ta, tb, m, n, k, rng);
                        INFO(isa_name(isa) << " ta " << ta << " tb " << tb << " m " << m << " n " << n << " k " << k);
                        CHECK(p.worst_error_ratio(p.thin(isa)) <= 1.0);
                    }
                }
            }
        }
    }
}

}  // namespace

TEST_CASE("thin products equal the float64 sum for every layout, small size and instruction set", "[thin]") {
    SECTION("float32") { check_small_shapes<float>(); }
    SECTION("float64") { check_small_shapes<double>(); }
}

TEST_CASE("thin products at the hypercleaning sizes, with contractions of many row blocks", "[thin]") {
    std::mt19937_64 rng(12);
    for (const ThinIsa isa : kIsas) {
        if (!cpu::supports(isa)) continue;
        INFO(isa_name(isa));
        const Product<float> logits(false, true, 5000, 10, 785, rng);  // X W^T
        CHECK(logits.worst_error_ratio(logits.thin(isa)) <= 1.0);
        const Product<float> weights(true, false, 10, 785, 5000, rng);  // G^T X
        CHECK(weights.worst_error_ratio(weights.thin(isa)) <= 1.0);
        const Product<double> weights64(true, false, 10, 785, 5000, rng);
        CHECK(weights64.worst_error_ratio(weights64.thin(isa)) <= 1.0);
        const Product<float> columns(true, true, 300, 16, 1030, rng);  // a transposed, n thin: a reduction
        CHECK(columns.worst_error_ratio(columns.thin(isa)) <= 1.0);
    }
}

TEST_CASE("thin products give the same bits at one thread and at two", "[thin][threads]") {
    const ThreadsGuard guard;
    std::mt19937_64 rng(13);
    const Product<float> weights(true, false, 10, 785, 5000, rng);
    const Product<float> logits(false, true, 5000, 10, 785, rng);
    const Product<double> rows(false, false, 12, 3000, 2000, rng);
    set_num_threads(1);
    const auto weights1 = weights.thin(cpu::best_thin_isa());
    const auto logits1 = logits.thin(cpu::best_thin_isa());
    const auto rows1 = rows.thin(cpu::best_thin_isa());
    set_num_threads(2);
    CHECK(same_bits(weights.thin(cpu::best_thin_isa()), weights1));
    CHECK(same_bits(logits.thin(cpu::best_thin_isa()), logits1));
    CHECK(same_bits(rows.thin(cpu::best_thin_isa()), rows1));
}

TEST_CASE("a thin product's element has the same bits whichever tile or task computes it", "[thin]") {
    std::mt19937_64 rng(14);
    for (const ThinIsa isa : kIsas) {
        if (!cpu::supports(isa)) continue;
        INFO(isa_name(isa));
        // Dots: the 4-row tiles and the 1-row tail give row i the bits it gets alone.
        const Product<float> logits(false, true, 23, 10, 301, rng);
        const auto whole = logits.thin(isa);
        for (std::int64_t i = 0; i < logits.m; ++i) {
            std::vector<float> row(10);
            cpu::thin_gemm(false, true, 1, 10, 301, logits.a.data() + i * 301, logits.b.data(), row.data(), isa);
            CHECK(std::memcmp(row.data(), whole.data() + i * 10, sizeof(float) * 10) == 0);
        }
        // Reduce: each column of G, alone, gives its row of G^T X the bits of the whole product.
        const Product<float> weights(true, false, 11, 70, 600, rng);
        const auto all = weights.thin(isa);
        for (std::int64_t i = 0; i < weights.m; ++i) {
            std::vector<float> column(600), row(70);
            for (std::int64_t p = 0; p < 600; ++p) column[static_cast<std::size_t>(p)] = weights.a_at(i, p);
            cpu::thin_gemm(true, false, 1, 70, 600, column.data(), weights.b.data(), row.data(), isa);
            CHECK(std::memcmp(row.data(), all.data() + i * 70, sizeof(float) * 70) == 0);
        }
    }
}

TEST_CASE("a long reduction is the in-order sum of its fixed blocks of rows, each summed alone", "[thin]") {
    // k = 600 rows make three blocks of 200 (at most 256 rows each, of equal length): the whole
    // product must have the bits of the three partial products added in block order.
    std::mt19937_64 rng(17);
    const ThinIsa isa = cpu::best_thin_isa();
    const Product<float> weights(true, false, 10, 70, 600, rng);
    const auto whole = weights.thin(isa);
    std::vector<float> sum(700), part(700);
    for (std::int64_t block = 0; block < 3; ++block) {
        cpu::thin_gemm(true, false, 10, 70, 200, weights.a.data() + block * 200 * 10,
                       weights.b.data() + block * 200 * 70, part.data(), isa);
        for (std::size_t e = 0; e < sum.size(); ++e) sum[e] = block == 0 ? part[e] : sum[e] + part[e];
    }
    CHECK(same_bits(whole, sum));
}

TEST_CASE("matmul takes the thin kernels up to 16 rows or columns and BLAS above, with the same results",
          "[thin][matmul]") {
    std::mt19937_64 rng(15);
    for (const std::int64_t thin : {15, 16, 17}) {
        for (const DType dtype : {f32, f64}) {
            INFO("thin " << thin << " dtype " << (dtype == f32 ? "f32" : "f64"));
            CHECK(cpu::is_thin(400, thin) == (thin <= cpu::kThinMax));
            const Tensor x = Tensor::uniform({400, 300}, -1, 1, rng, dtype);
            const Tensor w = Tensor::uniform({thin, 300}, -1, 1, rng, dtype);
            const Tensor y = matmul(Var(x), Var(w), trans_b).value();
            const auto vx = x.to_vector(), vw = w.to_vector(), vy = y.to_vector();
            const double eps =
                dtype == f32 ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
            double worst = 0;
            for (std::int64_t i = 0; i < 400; ++i) {
                for (std::int64_t j = 0; j < thin; ++j) {
                    double sum = 0, magnitude = 0;
                    for (std::int64_t p = 0; p < 300; ++p) {
                        const double t =
                            vx[static_cast<std::size_t>(i * 300 + p)] * vw[static_cast<std::size_t>(j * 300 + p)];
                        sum += t;
                        magnitude += std::abs(t);
                    }
                    worst = std::max(
                        worst, std::abs(vy[static_cast<std::size_t>(i * thin + j)] - sum) / (302 * eps * magnitude));
                }
            }
            CHECK(worst <= 1.0);
        }
    }
}

TEST_CASE("a large general product, split over row blocks for BLAS, gives the same bits at one thread and two",
          "[matmul][threads]") {
    const ThreadsGuard guard;
    std::mt19937_64 rng(16);
    const Tensor a = Tensor::uniform({700, 260}, -1, 1, rng);
    const Tensor b = Tensor::uniform({260, 300}, -1, 1, rng);
    set_num_threads(1);
    const auto one = matmul(Var(a), Var(b)).value().to_vector();
    set_num_threads(2);
    const auto two = matmul(Var(a), Var(b)).value().to_vector();
    CHECK(one == two);
    const auto va = a.to_vector(), vb = b.to_vector();
    double worst = 0;
    for (std::int64_t i = 0; i < 700; i += 7) {
        for (std::int64_t j = 0; j < 300; ++j) {
            double sum = 0, magnitude = 0;
            for (std::int64_t p = 0; p < 260; ++p) {
                const double t = va[static_cast<std::size_t>(i * 260 + p)] * vb[static_cast<std::size_t>(p * 300 + j)];
                sum += t;
                magnitude += std::abs(t);
            }
            worst = std::max(worst, std::abs(two[static_cast<std::size_t>(i * 300 + j)] - sum) /
                                        (262 * std::numeric_limits<float>::epsilon() * magnitude));
        }
    }
    CHECK(worst <= 1.0);
}
