// The experiments' data sets: Fashion-MNIST splits and the diabetes regression set.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <hypertape/experiments/datasets.hpp>
#include <hypertape/tape/error.hpp>
#include <set>

namespace ht = hypertape;
namespace ex = hypertape::experiments;

TEST_CASE("split_class_balanced picks n/10 of each class and leaves the rest", "[experiments][data]") {
    const ex::FashionMnist d = ex::load_fashion_mnist(ex::default_fashion_mnist_dir(), 2000, 10);
    REQUIRE(d.train.size() == 2000);
    REQUIRE(d.train.X.shape() == ht::Shape{2000, 784});
    REQUIRE(d.test.size() == 10);
    std::mt19937_64 rng(3);
    const auto [picked, rest] = ex::split_class_balanced(d.train, 500, rng);
    REQUIRE(picked.size() == 500);
    REQUIRE(rest.size() == 1500);
    std::vector<int> per_class(10, 0);
    for (auto y : picked.labels) ++per_class[static_cast<std::size_t>(y)];
    for (int c : per_class) CHECK(c == 50);
    // Every row of the subset is a row of the source with its own label: compare pixel sums.
    std::multiset<std::pair<std::int64_t, long>> source, split;
    const auto key = [](const ex::LabelledImages& s, std::int64_t i) {
        const float* row = s.X.data<float>() + i * 784;
        double sum = 0;
        for (int j = 0; j < 784; ++j) sum += row[j];
        return std::pair{s.labels[static_cast<std::size_t>(i)], std::lround(sum * 1000)};
    };
    for (std::int64_t i = 0; i < d.train.size(); ++i) source.insert(key(d.train, i));
    for (std::int64_t i = 0; i < picked.size(); ++i) split.insert(key(picked, i));
    for (std::int64_t i = 0; i < rest.size(); ++i) split.insert(key(rest, i));
    CHECK(source == split);
    CHECK_THROWS_AS(ex::split_class_balanced(d.train, 15, rng), ht::Error);
    CHECK_THROWS_WITH(ex::split_class_balanced(d.train, 1990, rng), Catch::Contains("class"));
}

TEST_CASE("with_bias_column appends a column of ones", "[experiments][data]") {
    const ht::Tensor X = ht::Tensor::zeros({3, 2}, ht::f64);
    const ht::Tensor Xb = ex::with_bias_column(X);
    REQUIRE(Xb.shape() == ht::Shape{3, 3});
    CHECK(Xb.to_vector() == std::vector<double>{0, 0, 1, 0, 0, 1, 0, 0, 1});
    CHECK_THROWS_AS(ex::with_bias_column(ht::Tensor::zeros({3}, ht::f64)), ht::Error);
}

TEST_CASE("the diabetes data loads standardised", "[experiments][data]") {
    const ex::Regression r = ex::load_diabetes(ex::default_diabetes_dir());
    REQUIRE(r.X.shape() == ht::Shape{442, 10});
    REQUIRE(r.y.shape() == ht::Shape{442});
    const double* x = r.X.data<double>();
    for (int j = 0; j < 10; ++j) {
        double mean = 0, square = 0;
        for (int i = 0; i < 442; ++i) {
            mean += x[i * 10 + j];
            square += x[i * 10 + j] * x[i * 10 + j];
        }
        CHECK(std::abs(mean / 442) < 1e-12);
        CHECK(square / 442 == Approx(1).epsilon(1e-12));
    }
}

TEST_CASE("the readers name what is wrong with a bad data folder", "[experiments][data][errors]") {
    const auto dir = std::filesystem::temp_directory_path() / "hypertape_test_bad_diabetes";
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH(ex::load_diabetes(dir.string()), Catch::Contains("diabetes_data_raw.csv.gz"));
    std::ofstream(dir / "diabetes_data_raw.csv.gz") << "1 2 3\n4 5\n";
    std::ofstream(dir / "diabetes_target.csv.gz") << "1\n2\n";
    CHECK_THROWS_WITH(ex::load_diabetes(dir.string()), Catch::Contains("line 2"));
    std::ofstream(dir / "diabetes_data_raw.csv.gz") << "1 2 3\n4 5 x\n";
    CHECK_THROWS_WITH(ex::load_diabetes(dir.string()), Catch::Contains("not a finite number"));
    std::ofstream(dir / "diabetes_data_raw.csv.gz") << "1 2 3\n4 5 6\n7 8 9\n";
    CHECK_THROWS_WITH(ex::load_diabetes(dir.string()), Catch::Contains("one target per row"));
    std::filesystem::remove_all(dir);
    CHECK_THROWS_WITH(ex::load_fashion_mnist(dir.string()), Catch::Contains("hypertape_test_bad_diabetes"));
}
