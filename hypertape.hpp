#pragma once
// hypertape: reverse-mode automatic differentiation with a truncation window, for bilevel
// optimization. Include this one header; everything is in namespace hypertape.
#include "hypertape/data/idx.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/conv.hpp"
#include "hypertape/ops/index.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/norm.hpp"
#include "hypertape/ops/pool.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/select.hpp"
#include "hypertape/ops/softmax.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/allocator.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape.hpp"
#include "hypertape/tape/tensor.hpp"
#include "hypertape/tape/var.hpp"

#include "hypertape/solvers/inner.hpp"
#include "hypertape/solvers/linear.hpp"

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/bilevel/outer.hpp"
#include "hypertape/bilevel/schedule.hpp"
