// xpipe's optional native kernels: oneDNN (the library PyTorch's CPU convolutions use) behind Node-API.
//
// Every function works in place on Float32Array views the caller passes (in xpipe: views of the TF.js
// wasm backend's heap), so no tensor is copied on the way in or out. Shapes follow TF.js: activations
// NHWC, conv filters HWIO ([fh, fw, in, out]), row-major matrices. Errors become JS exceptions.
#include <node_api.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <string>
#include <vector>

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

struct JsError {
  std::string message;
};

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw JsError{std::string("xpipe-onednn: bad argument: ") + what};
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t count) {
  std::vector<napi_value> argv(count);
  size_t argc = count;
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "arguments");
  if (argc < count) throw JsError{"xpipe-onednn: expected " + std::to_string(count) + " arguments"};
  return argv;
}

float* floats(napi_env env, napi_value value, size_t minLength, const char* what) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), what);
  if (!isTyped) throw JsError{std::string("xpipe-onednn: ") + what + " must be a Float32Array"};
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  check(env, napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr), what);
  if (type != napi_float32_array) throw JsError{std::string("xpipe-onednn: ") + what + " must be a Float32Array"};
  if (length < minLength) {
    throw JsError{std::string("xpipe-onednn: ") + what + " has " + std::to_string(length) + " floats, needs " +
                  std::to_string(minLength)};
  }
  return static_cast<float*>(data);
}

size_t lengthOf(napi_env env, napi_value value, const char* what) {
  size_t length = 0;
  napi_typedarray_type type;
  check(env, napi_get_typedarray_info(env, value, &type, &length, nullptr, nullptr, nullptr), what);
  return length;
}

bool isNull(napi_env env, napi_value value) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "value");
  return type == napi_null || type == napi_undefined;
}

int64_t integer(napi_env env, napi_value value, const char* what) {
  int64_t out = 0;
  check(env, napi_get_value_int64(env, value, &out), what);
  return out;
}

std::vector<int64_t> integers(napi_env env, napi_value array, size_t expected, const char* what) {
  uint32_t length = 0;
  check(env, napi_get_array_length(env, array, &length), what);
  if (length != expected) throw JsError{std::string("xpipe-onednn: ") + what + " needs " + std::to_string(expected)};
  std::vector<int64_t> out(length);
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    check(env, napi_get_element(env, array, i, &item), what);
    out[i] = integer(env, item, what);
  }
  return out;
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (auto d : dims) p *= d;
  return p;
}

// One convolution's geometry, read from a JS object:
// { x: [N,H,W,C], filter: [fh,fw,C,O], y: [N,OH,OW,O], strides: [sh,sw], dilations: [dh,dw],
//   padTop, padLeft, padBottom, padRight }
struct ConvGeometry {
  memory::dims src, weights, dst, strides, dilations, padL, padR;
};

ConvGeometry geometry(napi_env env, napi_value object) {
  auto prop = [&](const char* name) {
    napi_value v;
    check(env, napi_get_named_property(env, object, name, &v), name);
    return v;
  };
  auto x = integers(env, prop("x"), 4, "x shape");
  auto f = integers(env, prop("filter"), 4, "filter shape");
  auto y = integers(env, prop("y"), 4, "y shape");
  auto s = integers(env, prop("strides"), 2, "strides");
  auto d = integers(env, prop("dilations"), 2, "dilations");
  ConvGeometry g;
  // oneDNN names dims logically (N, C, H, W / O, I, H, W); the format tags below give the NHWC/HWIO layout.
  g.src = {x[0], x[3], x[1], x[2]};
  g.weights = {f[3], f[2], f[0], f[1]};
  g.dst = {y[0], y[3], y[1], y[2]};
  g.strides = {s[0], s[1]};
  g.dilations = {d[0] - 1, d[1] - 1};  // oneDNN counts the gaps, TF.js the step
  g.padL = {integer(env, prop("padTop"), "padTop"), integer(env, prop("padLeft"), "padLeft")};
  g.padR = {integer(env, prop("padBottom"), "padBottom"), integer(env, prop("padRight"), "padRight")};
  return g;
}

memory::desc activations(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::nhwc); }
memory::desc filters(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::hwio); }
memory::desc anyLayout(const memory::dims& dims) { return memory::desc(dims, dt::f32, tag::any); }

dnnl::convolution_forward::primitive_desc forwardDesc(const ConvGeometry& g, bool withBias, bool relu,
                                                      dnnl::prop_kind kind) {
  memory::desc bias = withBias ? memory::desc({g.dst[1]}, dt::f32, tag::x) : memory::desc();
  dnnl::convolution_forward::desc desc(kind, dnnl::algorithm::convolution_direct, activations(g.src),
                                       anyLayout(g.weights), bias, activations(g.dst), g.strides, g.dilations,
                                       g.padL, g.padR);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
}

// Weights in the layout the primitive chose: the user's HWIO buffer itself when it matches, else a reorder.
memory weightsFor(const memory::desc& wanted, const memory::dims& dims, float* data, bool toPrimitive) {
  memory user(filters(dims), cpuEngine(), data);
  if (wanted == user.get_desc()) return user;
  memory inner(wanted, cpuEngine());
  if (toPrimitive) dnnl::reorder(user, inner).execute(cpuStream(), user, inner);
  return inner;
}

template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const JsError& e) {
    napi_throw_error(env, nullptr, e.message.c_str());
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("xpipe-onednn: oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("xpipe-onednn: ") + e.what()).c_str());
  }
  return nullptr;
}

// conv2dForward(geometry, x, filter, bias | null, y, relu)
napi_value Conv2dForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 6);
    ConvGeometry g = geometry(env, a[0]);
    float* x = floats(env, a[1], product(g.src), "x");
    float* w = floats(env, a[2], product(g.weights), "filter");
    bool withBias = !isNull(env, a[3]);
    float* bias = withBias ? floats(env, a[3], g.dst[1], "bias") : nullptr;
    float* y = floats(env, a[4], product(g.dst), "y");
    bool relu = false;
    check(env, napi_get_value_bool(env, a[5], &relu), "relu");
    auto pd = forwardDesc(g, withBias, relu, dnnl::prop_kind::forward_inference);
    memory src(activations(g.src), cpuEngine(), x);
    memory dst(activations(g.dst), cpuEngine(), y);
    memory weights = weightsFor(pd.weights_desc(), g.weights, w, true);
    std::unordered_map<int, memory> io{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (withBias) io.insert({DNNL_ARG_BIAS, memory({{g.dst[1]}, dt::f32, tag::x}, cpuEngine(), bias)});
    dnnl::convolution_forward(pd).execute(cpuStream(), io);
    cpuStream().wait();
    return nullptr;
  });
}

// conv2dBackwardData(geometry, dy, filter, dx)
napi_value Conv2dBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    ConvGeometry g = geometry(env, a[0]);
    float* dy = floats(env, a[1], product(g.dst), "dy");
    float* w = floats(env, a[2], product(g.weights), "filter");
    float* dx = floats(env, a[3], product(g.src), "dx");
    auto hint = forwardDesc(g, false, false, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, activations(g.src),
                                               anyLayout(g.weights), activations(g.dst), g.strides, g.dilations,
                                               g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), hint);
    memory weights = weightsFor(pd.weights_desc(), g.weights, w, true);
    dnnl::convolution_backward_data(pd).execute(
        cpuStream(), {{DNNL_ARG_DIFF_DST, memory(activations(g.dst), cpuEngine(), dy)},
                      {DNNL_ARG_WEIGHTS, weights},
                      {DNNL_ARG_DIFF_SRC, memory(activations(g.src), cpuEngine(), dx)}});
    cpuStream().wait();
    return nullptr;
  });
}

// conv2dBackwardWeights(geometry, x, dy, dFilter)
napi_value Conv2dBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    ConvGeometry g = geometry(env, a[0]);
    float* x = floats(env, a[1], product(g.src), "x");
    float* dy = floats(env, a[2], product(g.dst), "dy");
    float* dw = floats(env, a[3], product(g.weights), "dFilter");
    auto hint = forwardDesc(g, false, false, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, activations(g.src),
                                                  anyLayout(g.weights), activations(g.dst), g.strides,
                                                  g.dilations, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), hint);
    memory user(filters(g.weights), cpuEngine(), dw);
    memory inner = weightsFor(pd.diff_weights_desc(), g.weights, dw, false);
    dnnl::convolution_backward_weights(pd).execute(
        cpuStream(), {{DNNL_ARG_SRC, memory(activations(g.src), cpuEngine(), x)},
                      {DNNL_ARG_DIFF_DST, memory(activations(g.dst), cpuEngine(), dy)},
                      {DNNL_ARG_DIFF_WEIGHTS, inner}});
    if (inner != user) dnnl::reorder(inner, user).execute(cpuStream(), inner, user);
    cpuStream().wait();
    return nullptr;
  });
}

// sgemm(transA, transB, M, N, K, a, b, c): c[M,N] = op(a) @ op(b), row-major, c overwritten.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 8);
    bool ta = false, tb = false;
    check(env, napi_get_value_bool(env, a[0], &ta), "transA");
    check(env, napi_get_value_bool(env, a[1], &tb), "transB");
    int64_t M = integer(env, a[2], "M"), N = integer(env, a[3], "N"), K = integer(env, a[4], "K");
    float* A = floats(env, a[5], M * K, "a");
    float* B = floats(env, a[6], K * N, "b");
    float* C = floats(env, a[7], M * N, "c");
    // Each thread multiplies its own block of C's columns with a single-threaded sgemm (nested in the
    // parallel region), so no dot product is ever split across threads: the bits do not depend on the
    // thread count. oneDNN's own threading splits K for short, wide products (a dense layer's gradients).
    // A single row (one image through a dense layer) would take oneDNN's matrix-vector path, which sums in
    // another order than the matrix-matrix one: `predict` on one file would then differ in the last bits
    // from the same image inside an evaluation batch. Two copies of the row keep the matrix-matrix path.
    std::vector<float> rows2;
    std::vector<float> out2;
    float* Cout = C;
    if (M == 1) {
      rows2.resize(static_cast<size_t>(2 * K));
      for (int64_t k = 0; k < K; k++) rows2[k] = rows2[K + k] = A[k];  // op(A) is the same row either way
      A = rows2.data();
      ta = false;
      M = 2;
      out2.resize(static_cast<size_t>(2 * N));
      C = out2.data();
    }
    const int64_t lda = ta ? M : K, ldb = tb ? K : N;
    const int T = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), std::max<int64_t>(1, N / 64)));
    dnnl_status_t status = dnnl_success;
#pragma omp parallel num_threads(T)
    {
      const int t = omp_get_thread_num();
      const int64_t n0 = N * t / T, n1 = N * (t + 1) / T;
      if (n1 > n0) {
        const float* Bt = tb ? B + n0 * ldb : B + n0;
        dnnl_status_t s = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, n1 - n0, K, 1.f, A, lda, Bt, ldb, 0.f, C + n0, N);
        if (s != dnnl_success) {
#pragma omp critical
          status = s;
        }
      }
    }
    if (status != dnnl_success) throw JsError{"xpipe-onednn: sgemm failed"};
    if (Cout != C) std::copy(C, C + N, Cout);
    return nullptr;
  });
}


// ---- Memory-bound training kernels (plain C++, OpenMP). Reductions sum fixed blocks of rows (whatever the
// thread count) into double partials and add the partials in block order, so the bits do not depend on
// how many threads ran them.

constexpr int64_t kRowsPerBlock = 512;

// Per-column sums of rows[R, C] (of a*b when b is given) into double accumulators.
void columnSums(const float* a, const float* b, int64_t R, int64_t C, std::vector<double>& out) {
  const int64_t blocks = (R + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<double> partial(static_cast<size_t>(blocks) * C, 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < blocks; k++) {
    double* acc = partial.data() + static_cast<size_t>(k) * C;
    for (int64_t r = k * kRowsPerBlock; r < std::min(R, (k + 1) * kRowsPerBlock); r++) {
      const float* row = a + r * C;
      if (b == nullptr) {
        for (int64_t c = 0; c < C; c++) acc[c] += row[c];
      } else {
        const float* other = b + r * C;
        for (int64_t c = 0; c < C; c++) acc[c] += static_cast<double>(row[c]) * other[c];
      }
    }
  }
  out.assign(C, 0.0);
  for (int64_t k = 0; k < blocks; k++)
    for (int64_t c = 0; c < C; c++) out[c] += partial[static_cast<size_t>(k) * C + c];
}

// channelSum(x, C, out): out[c] = sum of x[..., c] over every leading axis.
napi_value ChannelSum(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3);
    int64_t C = integer(env, a[1], "channels");
    if (C <= 0) throw JsError{"xpipe-onednn: channelSum: channels must be positive"};
    float* x = floats(env, a[0], 0, "x");
    float* out = floats(env, a[2], C, "out");
    std::vector<double> sums;
    columnSums(x, nullptr, static_cast<int64_t>(lengthOf(env, a[0], "x")) / C, C, sums);
    for (int64_t c = 0; c < C; c++) out[c] = static_cast<float>(sums[c]);
    return nullptr;
  });
}

// batchNormForward(R, C, epsilon, x, gamma, beta, y, xhat, mean, variance, rstd): training-mode batch norm
// over the rows of x[R, C] with the batch's statistics (two passes: mean, then centred squares).
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 11);
    int64_t R = integer(env, a[0], "rows"), C = integer(env, a[1], "channels");
    double epsilon = 0;
    check(env, napi_get_value_double(env, a[2], &epsilon), "epsilon");
    float* x = floats(env, a[3], R * C, "x");
    float* gamma = floats(env, a[4], C, "gamma");
    float* beta = floats(env, a[5], C, "beta");
    float* y = floats(env, a[6], R * C, "y");
    float* xhat = floats(env, a[7], R * C, "xhat");
    float* mean = floats(env, a[8], C, "mean");
    float* variance = floats(env, a[9], C, "variance");
    float* rstd = floats(env, a[10], C, "rstd");
    std::vector<double> sums;
    columnSums(x, nullptr, R, C, sums);
    for (int64_t c = 0; c < C; c++) mean[c] = static_cast<float>(sums[c] / R);
    // centred values go to xhat first, so the variance pass reads them once
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) xhat[r * C + c] = x[r * C + c] - mean[c];
    columnSums(xhat, xhat, R, C, sums);
    for (int64_t c = 0; c < C; c++) {
      variance[c] = static_cast<float>(sums[c] / R);
      rstd[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance[c]) + epsilon));
    }
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; r++) {
      for (int64_t c = 0; c < C; c++) {
        float h = xhat[r * C + c] * rstd[c];
        xhat[r * C + c] = h;
        y[r * C + c] = h * gamma[c] + beta[c];
      }
    }
    return nullptr;
  });
}

// batchNormBackward(R, C, dy, xhat, gamma, rstd, dx, dGamma, dBeta):
// dx = γ·r/R · (R·dy − Σdy − x̂·Σ(dy·x̂)), dγ = Σ(dy·x̂), dβ = Σdy.
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 9);
    int64_t R = integer(env, a[0], "rows"), C = integer(env, a[1], "channels");
    float* dy = floats(env, a[2], R * C, "dy");
    float* xhat = floats(env, a[3], R * C, "xhat");
    float* gamma = floats(env, a[4], C, "gamma");
    float* rstd = floats(env, a[5], C, "rstd");
    float* dx = floats(env, a[6], R * C, "dx");
    float* dGamma = floats(env, a[7], C, "dGamma");
    float* dBeta = floats(env, a[8], C, "dBeta");
    std::vector<double> sumDy, sumDyXhat;
    columnSums(dy, nullptr, R, C, sumDy);
    columnSums(dy, xhat, R, C, sumDyXhat);
    std::vector<float> k(C), shift(C), slope(C);
    for (int64_t c = 0; c < C; c++) {
      dBeta[c] = static_cast<float>(sumDy[c]);
      dGamma[c] = static_cast<float>(sumDyXhat[c]);
      k[c] = gamma[c] * rstd[c];
      shift[c] = static_cast<float>(-k[c] * sumDy[c] / R);
      slope[c] = static_cast<float>(-k[c] * sumDyXhat[c] / R);
    }
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) dx[r * C + c] = dy[r * C + c] * k[c] + xhat[r * C + c] * slope[c] + shift[c];
    return nullptr;
  });
}


// batchNormInference(R, C, epsilon, x, mean, variance, offset | null, scale | null, y): y = (x − mean)·r·scale
// + offset per channel with r = 1/√(variance + ε): TF.js's FusedBatchNorm with per-channel parameters.
napi_value BatchNormInference(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 9);
    int64_t R = integer(env, a[0], "rows"), C = integer(env, a[1], "channels");
    double epsilon = 0;
    check(env, napi_get_value_double(env, a[2], &epsilon), "epsilon");
    float* x = floats(env, a[3], R * C, "x");
    float* mean = floats(env, a[4], C, "mean");
    float* variance = floats(env, a[5], C, "variance");
    float* offset = isNull(env, a[6]) ? nullptr : floats(env, a[6], C, "offset");
    float* scale = isNull(env, a[7]) ? nullptr : floats(env, a[7], C, "scale");
    float* y = floats(env, a[8], R * C, "y");
    std::vector<float> mul(C), add(C);
    for (int64_t c = 0; c < C; c++) {
      mul[c] = static_cast<float>((scale ? scale[c] : 1.0) / std::sqrt(static_cast<double>(variance[c]) + epsilon));
      add[c] = (offset ? offset[c] : 0.f) - mean[c] * mul[c];
    }
    const float* m = mul.data();
    const float* b = add.data();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; r++)
      for (int64_t c = 0; c < C; c++) y[r * C + c] = x[r * C + c] * m[c] + b[c];
    return nullptr;
  });
}

// maxPoolGrad(geometry, dy, x, dx): each output gradient goes to the FIRST maximum of its window (TensorFlow's
// tie rule), recomputed from the forward input. Images are independent, so they are split across threads.
// geometry: { x: [N,H,W,C], y: [N,OH,OW,C], filter: [fh,fw], strides: [sh,sw], padTop, padLeft }
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    auto prop = [&](const char* name) {
      napi_value v;
      check(env, napi_get_named_property(env, a[0], name, &v), name);
      return v;
    };
    auto xs = integers(env, prop("x"), 4, "x shape");
    auto ys = integers(env, prop("y"), 4, "y shape");
    auto fs = integers(env, prop("filter"), 2, "filter");
    auto ss = integers(env, prop("strides"), 2, "strides");
    int64_t top = integer(env, prop("padTop"), "padTop"), left = integer(env, prop("padLeft"), "padLeft");
    int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
    float* dy = floats(env, a[1], N * OH * OW * C, "dy");
    float* x = floats(env, a[2], N * H * W * C, "x");
    float* dx = floats(env, a[3], N * H * W * C, "dx");
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) {
      // best value and its pixel offset (int32: compare-and-select of equal-width lanes vectorises)
      std::vector<float> best(C);
      std::vector<int32_t> at(C);
      float* dxn = dx + n * H * W * C;
      const float* xn = x + n * H * W * C;
      std::fill(dxn, dxn + H * W * C, 0.f);
      for (int64_t oy = 0; oy < OH; oy++) {
        int64_t y0 = std::max<int64_t>(0, oy * ss[0] - top), y1 = std::min<int64_t>(H, oy * ss[0] - top + fs[0]);
        for (int64_t ox = 0; ox < OW; ox++) {
          int64_t x0 = std::max<int64_t>(0, ox * ss[1] - left), x1 = std::min<int64_t>(W, ox * ss[1] - left + fs[1]);
          if (y0 >= y1 || x0 >= x1) continue;
          float* __restrict bv = best.data();
          int32_t* __restrict av = at.data();
          const float* first = xn + (y0 * W + x0) * C;
          const int32_t firstAt = static_cast<int32_t>((y0 * W + x0) * C);
          for (int64_t c = 0; c < C; c++) {
            bv[c] = first[c];
            av[c] = firstAt;
          }
          for (int64_t iy = y0; iy < y1; iy++) {
            for (int64_t ix = (iy == y0 ? x0 + 1 : x0); ix < x1; ix++) {
              const int32_t base = static_cast<int32_t>((iy * W + ix) * C);
              const float* __restrict px = xn + base;
              for (int64_t c = 0; c < C; c++) {
                const float v = px[c], cur = bv[c];
                const int32_t mask = -static_cast<int32_t>(v > cur);  // all ones where v is a new maximum
                bv[c] = v > cur ? v : cur;
                av[c] = (base & mask) | (av[c] & ~mask);
              }
            }
          }
          const float* g = dy + ((n * OH + oy) * OW + ox) * C;
          for (int64_t c = 0; c < C; c++) dxn[av[c] + c] += g[c];
        }
      }
    }
    return nullptr;
  });
}


// binary(op, a, b, out): out = a op b for float32 where b (or a) is the same size, a scalar, or a vector
// over the last axis of the other. op: 0 add, 1 sub, 2 mul, 3 div.
template <int Op>
inline float apply(float x, float y) {
  if constexpr (Op == 0) return x + y;
  if constexpr (Op == 1) return x - y;
  if constexpr (Op == 2) return x * y;
  return x / y;
}

template <int Op>
void binaryLoop(const float* a, int64_t na, const float* b, int64_t nb, float* out, int64_t n) {
  if (na == n && nb == n) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], b[i]);
  } else if (nb == 1) {
    float y = b[0];
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], y);
  } else if (na == 1) {
    float x = a[0];
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(x, b[i]);
  } else if (na == n) {
    int64_t rows = n / nb;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < nb; c++) out[r * nb + c] = apply<Op>(a[r * nb + c], b[c]);
  } else {
    int64_t rows = n / na;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < na; c++) out[r * na + c] = apply<Op>(a[c], b[r * na + c]);
  }
}

napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    int64_t op = integer(env, a[0], "op");
    int64_t na = lengthOf(env, a[1], "a"), nb = lengthOf(env, a[2], "b"), n = lengthOf(env, a[3], "out");
    float* x = floats(env, a[1], 0, "a");
    float* y = floats(env, a[2], 0, "b");
    float* out = floats(env, a[3], 0, "out");
    bool shapesOk = (na == n || na == 1 || (na > 0 && n % na == 0)) && (nb == n || nb == 1 || (nb > 0 && n % nb == 0)) &&
                    (na == n || nb == n);
    if (!shapesOk) throw JsError{"xpipe-onednn: binary: unsupported broadcast"};
    switch (op) {
      case 0: binaryLoop<0>(x, na, y, nb, out, n); break;
      case 1: binaryLoop<1>(x, na, y, nb, out, n); break;
      case 2: binaryLoop<2>(x, na, y, nb, out, n); break;
      case 3: binaryLoop<3>(x, na, y, nb, out, n); break;
      default: throw JsError{"xpipe-onednn: binary: unknown op"};
    }
    return nullptr;
  });
}

// unary(op, x, out): 0 relu, 1 square, 2 sqrt.
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3);
    int64_t op = integer(env, a[0], "op");
    int64_t n = lengthOf(env, a[2], "out");
    float* x = floats(env, a[1], n, "x");
    float* out = floats(env, a[2], n, "out");
    if (op == 0) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0.f ? x[i] : 0.f;
    } else if (op == 1) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) out[i] = x[i] * x[i];
    } else if (op == 2) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) out[i] = std::sqrt(x[i]);
    } else {
      throw JsError{"xpipe-onednn: unary: unknown op"};
    }
    return nullptr;
  });
}


// adamUpdate(scalars, value, m, v, gradient, newValue, newM, newV): one Adam step for one variable, the
// arithmetic of TF.js's AdamOptimizer op for op in float32 (same operations, same order, no FMA: the build
// targets x86-64-v2), so the weights are bit-identical to the op chain's, in one pass instead of ~14
// passes that each allocate a tensor the size of the variable.
// scalars: [beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta1^t, 1 - beta2^t, epsilon, -learningRate], each
// already rounded to float32 as TF.js's scalar tensors are.
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 8);
    float* k = floats(env, a[0], 8, "scalars");
    const float b1 = k[0], omb1 = k[1], b2 = k[2], omb2 = k[3], omab1 = k[4], omab2 = k[5], eps = k[6], negLr = k[7];
    int64_t n = lengthOf(env, a[1], "value");
    float* w = floats(env, a[1], n, "value");
    float* m = floats(env, a[2], n, "m");
    float* v = floats(env, a[3], n, "v");
    float* g = floats(env, a[4], n, "gradient");
    float* nw = floats(env, a[5], n, "newValue");
    float* nm = floats(env, a[6], n, "newM");
    float* nv = floats(env, a[7], n, "newV");
#pragma omp parallel for schedule(static) if (n >= 65536)
    for (int64_t i = 0; i < n; i++) {
      const float m1 = m[i] * b1;
      const float g1 = g[i] * omb1;
      const float mNew = m1 + g1;
      const float v1 = v[i] * b2;
      const float gg = g[i] * g[i];
      const float g2 = gg * omb2;
      const float vNew = v1 + g2;
      const float mHat = mNew / omab1;
      const float vHat = vNew / omab2;
      const float denom = std::sqrt(vHat) + eps;
      const float step = (mHat / denom) * negLr;
      nw[i] = step + w[i];
      nm[i] = mNew;
      nv[i] = vNew;
    }
    return nullptr;
  });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1);
    omp_set_num_threads(static_cast<int>(integer(env, a[0], "threads")));
    return nullptr;
  });
}

// info() -> { version, isa, threads }
napi_value Info(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    const dnnl_version_t* v = dnnl_version();
    std::string version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    const char* isas[] = {"any", "sse41", "avx", "avx2", "avx512_core", "other"};
    dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
    const char* isaName = isa == dnnl::cpu_isa::sse41        ? isas[1]
                          : isa == dnnl::cpu_isa::avx        ? isas[2]
                          : isa == dnnl::cpu_isa::avx2       ? isas[3]
                          : isa == dnnl::cpu_isa::avx512_core ? isas[4]
                                                             : isas[5];
    // cpu_isa values are bit sets that grow with the ISA; the AVX-512 variants are not all named in 2.6's header
    if (static_cast<int>(isa) > static_cast<int>(dnnl::cpu_isa::avx512_core)) isaName = "avx512_core+";
    napi_value out, s1, s2, n;
    check(env, napi_create_object(env, &out), "object");
    check(env, napi_create_string_utf8(env, version.c_str(), NAPI_AUTO_LENGTH, &s1), "string");
    check(env, napi_create_string_utf8(env, isaName, NAPI_AUTO_LENGTH, &s2), "string");
    check(env, napi_create_int32(env, omp_get_max_threads(), &n), "int");
    napi_set_named_property(env, out, "version", s1);
    napi_set_named_property(env, out, "isa", s2);
    napi_set_named_property(env, out, "threads", n);
    return out;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2dForward", nullptr, Conv2dForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardData", nullptr, Conv2dBackwardData, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardWeights", nullptr, Conv2dBackwardWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelSum", nullptr, ChannelSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormInference", nullptr, BatchNormInference, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
