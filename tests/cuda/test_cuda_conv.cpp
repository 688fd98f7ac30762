// The window ops (conv2d, conv_transpose2d, conv2d_weight, max_pool2d, avg_pool2d, batch_norm) on
// the GPU against the CPU in every AD mode (support/device_check.hpp), on shapes that span many
// blocks; im2col, col2im and the pooling argmax agree with the CPU bit for bit, since both run the
// element functions of ops/math/conv.hpp in one order.
#include <catch2/catch.hpp>
#include <hypertape/hypertape.hpp>

#include "support/device_check.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::check_on_device;
using hypertape::testing::randn;
using hypertape::testing::Vars;

TEST_CASE("conv2d, conv_transpose2d and conv2d_weight on the GPU match the CPU", "[cuda][conv]") {
    const Tensor x = randn({2, 3, 9, 8}, 1);
    const Tensor w = randn({4, 3, 3, 2}, 2);
    const Tensor b = randn({4}, 3);
    struct Geometry {
        std::int64_t stride, padding, dilation;
    };
    for (const Geometry g : {Geometry{1, 1, 1}, Geometry{2, 1, 1}, Geometry{1, 0, 2}}) {
        INFO("stride " << g.stride << " padding " << g.padding << " dilation " << g.dilation);
        check_on_device("conv2d",
                        [g](const Vars& v) { return conv2d(v[0], v[1], v[2], g.stride, g.padding, g.dilation); },
                        {x, w, b});
        const Shape ys = conv2d(Var(x), Var(w), Var(), g.stride, g.padding, g.dilation).shape();
        const Tensor y = randn(ys, 4);
        check_on_device(
            "conv_transpose2d",
            [g](const Vars& v) { return conv_transpose2d(v[0], v[1], v[2], g.stride, g.padding, 0, g.dilation); },
            {y, w, randn({3}, 5)});
        check_on_device("conv2d_weight",
                        [g](const Vars& v) { return conv2d_weight(v[0], v[1], 3, 2, g.stride, g.padding, g.dilation); },
                        {x, y});
    }
    // Many blocks: 16 images of 16 channels, 28 x 28.
    check_on_device("conv2d, large", [](const Vars& v) { return conv2d(v[0], v[1], Var(), 1, 1); },
                    {randn({16, 16, 28, 28}, 6), randn({8, 16, 3, 3}, 7)}, {.second_order = false});
}

TEST_CASE("pooling and batch_norm on the GPU match the CPU", "[cuda][pool][norm]") {
    const Tensor x = randn({3, 4, 10, 9}, 11);
    check_on_device("max_pool2d", [](const Vars& v) { return max_pool2d(v[0], 2); }, {x});
    check_on_device("max_pool2d overlapping", [](const Vars& v) { return square(max_pool2d(v[0], 3, 2, 1)); }, {x});
    check_on_device("avg_pool2d", [](const Vars& v) { return square(avg_pool2d(v[0], 3, 1, 1)); }, {x});
    check_on_device("batch_norm", [](const Vars& v) { return batch_norm(v[0], v[1], v[2]); },
                    {x, randn({4}, 12), randn({4}, 13)});
    check_on_device("a convolutional block",
                    [](const Vars& v) { return relu(batch_norm(max_pool2d(conv2d(v[0], v[1], Var(), 1, 1), 2))); },
                    {randn({4, 2, 8, 8}, 14), randn({3, 2, 3, 3}, 15)});
}

TEST_CASE("the window kernels agree with the CPU bit for bit in float32", "[cuda][conv]") {
    const Tensor x = randn({4, 8, 14, 14}, 21).to(f32);
    const Device gpu = Device::cuda(0);
    const auto same = [](const Var& on_gpu, const Var& on_cpu) {
        return bitwise_equal(on_gpu.value().to(Device::cpu()), on_cpu.value());
    };
    CHECK(same(max_pool2d(Var(x.to(gpu)), 2), max_pool2d(Var(x), 2)));
    CHECK(same(avg_pool2d(Var(x.to(gpu)), 3, 1, 1), avg_pool2d(Var(x), 3, 1, 1)));
    // col2im through the transposed convolution: only the gemm (cuBLAS against OpenBLAS) may round
    // differently, so compare a 1x1-filter product whose gemm is exact (one term per sum).
    const Tensor identity = Tensor::from_vector({1.0}, {1, 1, 1, 1}, f32);
    const Tensor plane = randn({2, 1, 7, 7}, 24).to(f32);
    CHECK(same(conv_transpose2d(Var(plane.to(gpu)), Var(identity.to(gpu)), Var(), 2, 0, 1),
               conv_transpose2d(Var(plane), Var(identity), Var(), 2, 0, 1)));
}
