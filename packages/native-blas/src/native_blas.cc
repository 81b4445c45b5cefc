// A BLAS for TF.js kernels, loaded at run time.
//
// The addon links no BLAS: open() dlopen()s one (Debian's OpenBLAS, or any libblas.so.3 that
// exports cblas_sgemm), so it compiles without BLAS headers and a machine without the library
// still loads the addon and reports "unavailable". sgemm() runs cblas_sgemm directly on the
// memory of Float32Array views (the TF.js wasm heap): no copies. Every size, stride and array
// length is checked before the call (one Args per export, args.h), because a wrong stride here
// reads or writes outside the heap instead of throwing.
//
// conv2d*() are TF.js's Conv2D kernels as im2col + sgemm (see the Convolutions section below).
//
// rmsprop() and the other non-BLAS kernels (column sums, dropout masks, L2 penalties, batch gathers,
// relu and its gradient) each replace several TF.js kernels or a JS loop with one pass, in the same
// float32 operations and order, so the results are bit-identical: e.g. TF.js's RMSProp update is ~12
// elementwise passes with a fresh tensor each, a third of a training step once matrix products run
// on BLAS; here it is one pass, in place.
//
// Only node_api.h (Node's own C API) is used, so one build serves every Node version with N-API 8.

#include <node_api.h>

#include <climits>
#include <limits>
#include <cmath>
#include <vector>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <string>

#include "args.h"

namespace {

using native_blas::Args;
using native_blas::Array;
using native_blas::Floats;
using native_blas::Throw;
using native_blas::ThrowRange;

// CBLAS enum values (cblas.h), fixed by the standard interface.
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using SgemmFn = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                         const float* b, int ldb, float beta, float* c, int ldc);
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();
using GetStringFn = char* (*)();

// One BLAS per process: its thread pool and the kernels registered over it are process-wide.
struct Blas {
  void* handle = nullptr;
  SgemmFn sgemm = nullptr;
  GetThreadsFn getThreads = nullptr;
  std::string path;      // as opened
  std::string resolved;  // the file that holds cblas_sgemm, symlinks resolved
  std::string config;    // openblas_get_config(), empty for other BLAS
  std::string corename;  // openblas_get_corename(): the CPU kernel set OpenBLAS picked
  bool openblas = false;
};
Blas blas;

napi_value String(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

void Set(napi_env env, napi_value obj, const char* key, napi_value value) { napi_set_named_property(env, obj, key, value); }

// Elements a row-major rows×cols matrix with leading dimension ld spans: (rows-1)·ld + cols.
int64_t Extent(int rows, int cols, int ld) {
  if (rows == 0 || cols == 0) return 0;
  return static_cast<int64_t>(rows - 1) * ld + cols;
}

// The matrix op(X) reads, rows×cols stored with leading dimension ld, fits in x.
bool CheckOperand(Args& args, const Floats& x, int rows, int cols, int ld) {
  const std::string name = x.name;
  if (ld < (cols > 1 ? cols : 1)) {
    args.Fail("ld" + name + " must be ≥ " + std::to_string(cols > 1 ? cols : 1) + " (the stored matrix has " + std::to_string(cols) +
              " columns), got " + std::to_string(ld));
    return false;
  }
  const int64_t need = Extent(rows, cols, ld);
  if (static_cast<int64_t>(x.length) < need) {
    args.Fail(name + " holds " + std::to_string(x.length) + " floats, but a " + std::to_string(rows) + "×" + std::to_string(cols) + " matrix with ld" +
              name + "=" + std::to_string(ld) + " needs " + std::to_string(need));
    return false;
  }
  return true;
}

// Sizes and strides: non-negative integers that fit a BLAS int (32-bit in Debian's libopenblas0).
int Dim(Args& args, int min) { return static_cast<int>(args.Integer(min, INT_MAX)); }

// sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): C = alpha·op(A)·op(B) + beta·C, row-major.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args args(env, info, "sgemm", {"transA", "transB", "m", "n", "k", "alpha", "a", "lda", "b", "ldb", "beta", "c", "ldc"});
  args.NeedsBlas(blas.sgemm != nullptr);
  const bool transA = args.Bool();
  const bool transB = args.Bool();
  const int m = Dim(args, 0);
  const int n = Dim(args, 0);
  const int k = Dim(args, 0);
  const float alpha = static_cast<float>(args.Finite());
  const Floats a = args.Float32();
  const int lda = Dim(args, 1);
  const Floats b = args.Float32();
  const int ldb = Dim(args, 1);
  const float beta = static_cast<float>(args.Finite());
  const Floats c = args.Float32();
  const int ldc = Dim(args, 1);
  // Stored shapes: op(A) is m×k, so A is k×m when transposed; op(B) is k×n, so B is n×k when transposed.
  if (!args.ok() || !CheckOperand(args, a, transA ? k : m, transA ? m : k, lda) || !CheckOperand(args, b, transB ? n : k, transB ? k : n, ldb) ||
      !CheckOperand(args, c, m, n, ldc)) {
    return nullptr;
  }
  if (m == 0 || n == 0) return nullptr;
  blas.sgemm(kRowMajor, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, m, n, k, alpha, a.data, lda, b.data, ldb, beta, c.data, ldc);
  return nullptr;
}

// rmsprop(value, grad, meanSquare, moment, learningRate, decay, momentum, epsilon), in place:
//   meanSquare = meanSquare·decay + grad²·(1 − decay)
//   moment     = moment·momentum + grad·learningRate / √(meanSquare + epsilon)
//   value      = value − moment
// TF.js's RMSPropOptimizer (centered = false) computes exactly this, one float32 op at a time.
napi_value Rmsprop(napi_env env, napi_callback_info info) {
  Args args(env, info, "rmsprop", {"value", "grad", "meanSquare", "moment", "learningRate", "decay", "momentum", "epsilon"});
  const Floats arrays[4] = {args.Float32(), args.Float32(), args.Float32(), args.Float32()};
  args.SameLength(arrays[0], {arrays[1], arrays[2], arrays[3]});
  const double scalars[4] = {args.Finite(), args.Finite(), args.Finite(), args.Finite()};
  if (!args.ok()) return nullptr;
  // Scalars become float32 as TF.js's scalar tensors do; 1 − decay is taken in double first, as in JS.
  const float lr = static_cast<float>(scalars[0]);
  const float decay = static_cast<float>(scalars[1]);
  const float keep = static_cast<float>(1.0 - scalars[1]);
  const float momentum = static_cast<float>(scalars[2]);
  const float eps = static_cast<float>(scalars[3]);
  float* __restrict value = arrays[0].data;
  const float* __restrict grad = arrays[1].data;
  float* __restrict ms = arrays[2].data;
  float* __restrict moment = arrays[3].data;
  const size_t n = arrays[0].length;
  for (size_t j = 0; j < n; j++) {
    const float g = grad[j];
    const float m = ms[j] * decay + (g * g) * keep;
    ms[j] = m;
    const float p = moment[j] * momentum + (g * lr) / std::sqrt(m + eps);
    moment[j] = p;
    value[j] = value[j] - p;
  }
  return nullptr;
}

// adam(value, grad, m, v, learningRate, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2), in place:
//   m     = m·beta1 + grad·(1 − beta1)
//   v     = v·beta2 + grad²·(1 − beta2)
//   value = (m / oneMinusAccBeta1) / (√(v / oneMinusAccBeta2) + epsilon) · −learningRate + value
// TF.js's AdamOptimizer computes exactly this, one float32 op at a time; the two bias corrections
// (1 − beta^t, from its float32 accumulators) are the caller's, the same for every variable of a step.
napi_value Adam(napi_env env, napi_callback_info info) {
  Args args(env, info, "adam",
            {"value", "grad", "m", "v", "learningRate", "beta1", "beta2", "epsilon", "oneMinusAccBeta1", "oneMinusAccBeta2"});
  const Floats arrays[4] = {args.Float32(), args.Float32(), args.Float32(), args.Float32()};
  args.SameLength(arrays[0], {arrays[1], arrays[2], arrays[3]});
  const double scalars[6] = {args.Finite(), args.Finite(), args.Finite(), args.Finite(), args.Finite(), args.Finite()};
  if (!args.ok()) return nullptr;
  // Scalars become float32 as TF.js's scalar tensors do; 1 − beta and −learningRate are taken in
  // double first, as in JS.
  const float negLr = static_cast<float>(-scalars[0]);
  const float beta1 = static_cast<float>(scalars[1]);
  const float keep1 = static_cast<float>(1.0 - scalars[1]);
  const float beta2 = static_cast<float>(scalars[2]);
  const float keep2 = static_cast<float>(1.0 - scalars[2]);
  const float eps = static_cast<float>(scalars[3]);
  const float correction1 = static_cast<float>(scalars[4]);
  const float correction2 = static_cast<float>(scalars[5]);
  float* __restrict value = arrays[0].data;
  const float* __restrict grad = arrays[1].data;
  float* __restrict m = arrays[2].data;
  float* __restrict v = arrays[3].data;
  const size_t n = arrays[0].length;
  for (size_t j = 0; j < n; j++) {
    const float g = grad[j];
    const float m1 = m[j] * beta1 + g * keep1;
    const float v1 = v[j] * beta2 + (g * g) * keep2;
    m[j] = m1;
    v[j] = v1;
    value[j] = ((m1 / correction1) / (std::sqrt(v1 / correction2) + eps)) * negLr + value[j];
  }
  return nullptr;
}

// columnSums(x, out): out[j] = x[0][j] + x[1][j] + … over the rows of x, a row-major matrix of
// out.length columns. TF.js's Sum over the leading axis (a bias gradient: dy summed over the batch)
// on wasm transposes dy into a fresh buffer, then adds each column from 0 upwards in row order; this
// adds in that same order, one float32 accumulator per column, without the transpose (same bits).
napi_value ColumnSums(napi_env env, napi_callback_info info) {
  Args args(env, info, "columnSums", {"x", "out"});
  const Floats x = args.Float32();
  const Floats out = args.Float32();
  const size_t rows = args.RowsOf(x, out);
  if (!args.ok()) return nullptr;
  const size_t cols = out.length;
  float* __restrict o = out.data;
  for (size_t j = 0; j < cols; j++) o[j] = 0.0f;
  for (size_t r = 0; r < rows; r++) {
    const float* __restrict row = x.data + r * cols;
    for (size_t j = 0; j < cols; j++) o[j] += row[j];
  }
  return nullptr;
}

// dropoutMask(seed, keepProb, out): the multiplier tf.dropout(x, 1 − keepProb, undefined, seed) multiplies x
// by, floor(u + keepProb) / keepProb for each u of randomUniform(shape, 0, 1, "float32", seed), in the
// same operations: seedrandom's Alea seeded by Mash over String(seed) (TF.js's UniformRandom), each
// draw rounded to float32, then float32 add, floor and divide (wasm's Add, Floor and RealDiv). Alea
// and Mash are double arithmetic, reproduced step by step (no FMA: -ffp-contract=off), so every mask
// is TF.js's to the bit while TF.js spent ~2 ms of JS per 128×512 mask drawing it.
double ToUint32(double x) {
  const double m = std::fmod(std::trunc(x), 4294967296.0);
  return m < 0 ? m + 4294967296.0 : m;
}

struct Mash {
  double n = 4022871197.0;  // 0xefc8249d
  double operator()(const std::string& data) {
    for (unsigned char ch : data) {
      n += ch;
      double h = 0.02519603282416938 * n;
      n = ToUint32(h);
      h -= n;
      h *= n;
      n = ToUint32(h);
      h -= n;
      n += h * 4294967296.0;
    }
    return ToUint32(n) * 2.3283064365386963e-10;
  }
};

struct Alea {
  double s0 = 0, s1 = 0, s2 = 0, c = 1;
  explicit Alea(const std::string& seed) {
    Mash mash;
    s0 = mash(" ");
    s1 = mash(" ");
    s2 = mash(" ");
    s0 -= mash(seed);
    if (s0 < 0) s0 += 1;
    s1 -= mash(seed);
    if (s1 < 0) s1 += 1;
    s2 -= mash(seed);
    if (s2 < 0) s2 += 1;
  }
  double Next() {
    const double t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    c = static_cast<double>(static_cast<int32_t>(t));  // t | 0, with 0 ≤ t < 2^31
    s2 = t - c;
    return s2;
  }
};

napi_value DropoutMask(napi_env env, napi_callback_info info) {
  Args args(env, info, "dropoutMask", {"seed", "keepProb", "out"});
  const double seed = args.Number([](double d) { return std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740991.0; }, "a safe integer");
  const double keepProb = args.Number([](double d) { return d > 0 && d <= 1; }, "in (0, 1]");
  const Floats outArg = args.Float32();
  if (!args.ok()) return nullptr;
  float* out = outArg.data;
  const size_t n = outArg.length;
  char text[32];
  snprintf(text, sizeof text, "%.0f", seed);  // String(seed) for a safe integer
  Alea alea(text);
  const float kp = static_cast<float>(keepProb);
  for (size_t i = 0; i < n; i++) {
    const float u = static_cast<float>(alea.Next());
    out[i] = std::floor(u + kp) / kp;
  }
  return nullptr;
}

// l2Penalty(x, l2) and l2PenaltyGrad(x, scale, out): a Keras L2 weight penalty as tfjs-layers computes
// it, l2 · x·x summed, and its gradient, in one pass each. TF.js runs ~10 kernels over the whole
// kernel for it per training step (Mul, Mul, Sum forward; Sum's, both Mul's gradients and their
// accumulation backward). Same float32 operations in the same order, so the same bits:
//   forward  s = 0; s += l2·(x·x) for each x in memory order (wasm's Sum over all axes);
//   backward d = scale·x (scale = upstream gradient · l2, both float32); out = d + d (Mul(x, x)'s two
//            operands each get d, accumulated by one Add).
napi_value L2Penalty(napi_env env, napi_callback_info info) {
  Args args(env, info, "l2Penalty", {"x", "l2"});
  const Floats xArg = args.Float32();
  const double l2 = args.Finite();
  if (!args.ok()) return nullptr;
  const float* x = xArg.data;
  const size_t n = xArg.length;
  const float l2f = static_cast<float>(l2);
  float sum = 0;
  for (size_t i = 0; i < n; i++) {
    const float sq = x[i] * x[i];
    sum += l2f * sq;
  }
  napi_value result;
  napi_create_double(env, sum, &result);
  return result;
}

napi_value L2PenaltyGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "l2PenaltyGrad", {"x", "scale", "out"});
  const Floats xArg = args.Float32();
  const double scale = args.Number([](double d) { return !std::isnan(d); }, "a number");
  const Floats outArg = args.Float32();
  if (!args.SameLength(xArg, {outArg})) return nullptr;
  const float* x = xArg.data;
  float* out = outArg.data;
  const size_t n = xArg.length;
  const float s = static_cast<float>(scale);
  for (size_t i = 0; i < n; i++) {
    const float d = s * x[i];
    out[i] = d + d;
  }
  return nullptr;
}

// gatherByteRows(bytes, rowSize, indices, table, out): out's row i = table[b] for each byte b of row
// indices[i] of bytes (rows of rowSize bytes). A set stored as bytes (MNIST's pixels) becomes a batch
// of floats in one pass; the table holds the floats JS computes per byte value (e.g. b / 255 rounded
// to float32), so each element is the one a JS loop over the same table writes, to the bit.
napi_value GatherByteRows(napi_env env, napi_callback_info info) {
  Args args(env, info, "gatherByteRows", {"bytes", "rowSize", "indices", "table", "out"});
  const Array<uint8_t> bytesArg = args.Typed<uint8_t>();
  const size_t rowSize = static_cast<size_t>(args.Integer(1, static_cast<double>(bytesArg.length > 0 ? bytesArg.length : 1)));
  const Array<int32_t> indicesArg = args.Typed<int32_t>();
  const Floats tableArg = args.Float32();
  const Floats outArg = args.Float32();
  if (!args.ok()) return nullptr;
  const size_t count = indicesArg.length;
  if (tableArg.length != 256) return args.Fail("table must hold 256 floats (one per byte value), got " + std::to_string(tableArg.length));
  if (outArg.length < count * rowSize) {
    return args.Fail("out must hold " + std::to_string(count) + " × " + std::to_string(rowSize) + " floats, got " + std::to_string(outArg.length));
  }
  const uint8_t* bytes = bytesArg.data;
  const int32_t* indices = indicesArg.data;
  const float* table = tableArg.data;
  float* out = outArg.data;
  const size_t rows = bytesArg.length / rowSize;
  // Every index is checked before anything is written: a bad one throws and leaves out untouched.
  for (size_t i = 0; i < count; i++) {
    if (indices[i] < 0 || static_cast<size_t>(indices[i]) >= rows) {
      return args.Fail("index " + std::to_string(indices[i]) + " at position " + std::to_string(i) + " is not a row of " + std::to_string(rows));
    }
  }
  for (size_t i = 0; i < count; i++) {
    const uint8_t* __restrict src = bytes + static_cast<size_t>(indices[i]) * rowSize;
    float* __restrict dst = out + i * rowSize;
    for (size_t j = 0; j < rowSize; j++) dst[j] = table[src[j]];
  }
  return nullptr;
}

// relu(x): x = x > 0 ? x : 0 in place (NaN and −0 become +0), the rectifier the fused matrix product
// applies after sgemm; a JS loop over a validation batch's 1024×512 outputs cost ~4 ms per layer.
napi_value Relu(napi_env env, napi_callback_info info) {
  Args args(env, info, "relu", {"x"});
  const Floats xArg = args.Float32();
  if (!args.ok()) return nullptr;
  float* x = xArg.data;
  const size_t n = xArg.length;
  for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
  return nullptr;
}

// biasRelu(c, bias) and reluGrad(dy, y, out): a Dense layer's relu(x·W + b) and its gradient as TF.js's
// wasm kernels compute them during training, where fused.matMul splits into MatMul, Add and Relu
// (and the gradient into Step, Cast and Multiply), in one pass each after the matrix product:
//   biasRelu  t = c + bias[j] (float32 add); c = t > 0 ? t : (t is NaN ? t : 0)   (wasm's Relu: NaN stays, −0 → +0)
//   reluGrad  out = dy · step(y), step(y) = y > 0 ? 1 : (y is NaN ? NaN : 0)       (y = relu's output: y > 0 ⇔ t > 0)
// dy · 0 is −0 for a negative dy, as wasm's Multiply gives it.
napi_value BiasRelu(napi_env env, napi_callback_info info) {
  Args args(env, info, "biasRelu", {"c", "bias"});
  const Floats cArg = args.Float32();
  const Floats biasArg = args.Float32();
  const size_t rows = args.RowsOf(cArg, biasArg);
  if (!args.ok()) return nullptr;
  float* c = cArg.data;
  const float* bias = biasArg.data;
  const size_t cols = biasArg.length;
  for (size_t r = 0; r < rows; r++) {
    float* __restrict row = c + r * cols;
    const float* __restrict b = bias;
    for (size_t j = 0; j < cols; j++) {
      const float t = row[j] + b[j];
      row[j] = t > 0.0f ? t : (t != t ? t : 0.0f);
    }
  }
  return nullptr;
}

napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "reluGrad", {"dy", "y", "out"});
  const Floats dyArg = args.Float32();
  const Floats yArg = args.Float32();
  const Floats outArg = args.Float32();
  if (!args.SameLength(dyArg, {yArg, outArg})) return nullptr;
  const float* dy = dyArg.data;
  const float* y = yArg.data;
  float* out = outArg.data;
  const size_t n = dyArg.length;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (size_t i = 0; i < n; i++) {
    const float v = y[i];
    const float step = v > 0.0f ? 1.0f : (v != v ? nan : 0.0f);
    out[i] = dy[i] * step;
  }
  return nullptr;
}

// crossentropyGrad(p, target, q, c, s, dy, epsilon, out): the gradient with respect to p of tfjs-layers'
// categoricalCrossentropy(target, p) = −Σ_j target·log(clip(p / Σ_j p, ε, 1 − ε)) per row, given the
// forward pass's own s = Σ_j p (rows × 1), q = p / s and c = clip(q), and dy, the gradient of each
// row's loss. These are the float32 operations tfjs-core's gradients run for that chain, in its order:
//   dr = −dy; dm = −0 + dr (Sum); dl = dm·target (Multiply); dc = dl / c (Log); dq = ε ≤ q ≤ 1 − ε ? dc : 0 (ClipByValue);
//   the division's two gradients dq / s and −(Σ_j dq·p) / (s·s), the sum added in row order (Sum over
//   the last axis) and spread back as −0 + that (Sum's gradient); out = their float32 sum.
napi_value CrossentropyGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "crossentropyGrad", {"p", "target", "q", "c", "s", "dy", "epsilon", "out"});
  const Floats in[6] = {args.Float32(), args.Float32(), args.Float32(), args.Float32(), args.Float32(), args.Float32()};
  const double eps = args.Number([](double d) { return d >= 0 && d < 0.5; }, "in [0, 0.5)");
  const Floats outArg = args.Float32();
  args.SameLength(in[4], {in[5]});  // s and dy: one value per row
  const size_t cols = args.ColumnsOf(in[0], in[4]);
  args.SameLength(in[0], {in[1], in[2], in[3], outArg});
  if (!args.ok()) return nullptr;
  const size_t rows = in[4].length;
  const float low = static_cast<float>(eps);
  const float high = static_cast<float>(1.0 - eps);
  const float *p = in[0].data, *target = in[1].data, *q = in[2].data, *c = in[3].data, *s = in[4].data, *dy = in[5].data;
  float* out = outArg.data;
  std::vector<float> dq(cols);
  for (size_t r = 0; r < rows; r++) {
    const size_t o = r * cols;
    const float dr = -dy[r];
    float sum = 0.0f;
    for (size_t j = 0; j < cols; j++) {
      const float dm = -0.0f + dr;
      const float dl = dm * target[o + j];
      const float dc = dl / c[o + j];
      const float v = q[o + j];
      dq[j] = (v >= low && v <= high) ? dc : 0.0f;
      const float product = dq[j] * p[o + j];
      sum += product;
    }
    const float square = s[r] * s[r];
    const float ds = -(sum / square);
    for (size_t j = 0; j < cols; j++) {
      const float direct = dq[j] / s[r];
      const float spread = -0.0f + ds;
      out[o + j] = direct + spread;
    }
  }
  return nullptr;
}

// ---- Convolutions (NHWC, TF.js's filter layout [filterHeight, filterWidth, inChannels, outChannels]) ----
//
// im2col turns a convolution into one sgemm: each output pixel's receptive field becomes a row of
// K = filterHeight·filterWidth·inChannels values, in the filter's own (kh, kw, ci) order, so the
// filter is already the K×outChannels matrix. The rows live in a scratch buffer of the addon's,
// bounded by kScratchFloats: larger batches go in chunks of whole images. Chunks, loops and sums
// run in a fixed order, so the same inputs give the same bits on every call.

constexpr size_t kScratchFloats = size_t{1} << 21;  // 8 MiB

struct ConvGeometry {
  int batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels;
  int filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft;
};

const char* const kGeometryFields[] = {"batch", "inHeight", "inWidth", "inChannels", "outHeight", "outWidth", "outChannels",
                                       "filterHeight", "filterWidth", "strideHeight", "strideWidth", "dilationHeight", "dilationWidth",
                                       "padTop", "padLeft"};

// Reads and checks the geometry object: every field an integer in range, sizes ≥ 1 (pads ≥ 0), and
// every element count below 2^31 so BLAS ints and our size_t arithmetic cannot overflow.
bool ReadGeometry(Args& args, ConvGeometry* g) {
  const char* name = "";
  napi_value obj = args.Next(&name);
  if (!args.ok()) return false;
  napi_valuetype type;
  napi_typeof(args.env(), obj, &type);
  if (type != napi_object) return args.Expected(name, std::string("an object with ") + kGeometryFields[0] + "…padLeft", obj);
  int* fields[] = {&g->batch, &g->inHeight, &g->inWidth, &g->inChannels, &g->outHeight, &g->outWidth, &g->outChannels,
                   &g->filterHeight, &g->filterWidth, &g->strideHeight, &g->strideWidth, &g->dilationHeight, &g->dilationWidth,
                   &g->padTop, &g->padLeft};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    napi_value v = nullptr;
    if (napi_get_named_property(args.env(), obj, kGeometryFields[i], &v) != napi_ok) v = nullptr;
    int64_t value = 0;
    const double min = i >= 13 ? 0 : 1;  // pads may be 0
    if (!args.IntegerValue(v, name, kGeometryFields[i], min, 65535, &value)) return false;
    *fields[i] = static_cast<int>(value);
  }
  const int64_t k = static_cast<int64_t>(g->filterHeight) * g->filterWidth * g->inChannels;
  const int64_t counts[] = {static_cast<int64_t>(g->batch) * g->inHeight * g->inWidth * g->inChannels,
                            static_cast<int64_t>(g->batch) * g->outHeight * g->outWidth * g->outChannels, k * g->outChannels,
                            static_cast<int64_t>(g->outHeight) * g->outWidth * k};
  for (int64_t c : counts) {
    if (c >= INT_MAX) {
      args.Fail("the geometry describes a tensor of " + std::to_string(c) + " floats; at most " + std::to_string(INT_MAX - 1) + " are supported");
      return false;
    }
  }
  return true;
}

float* Scratch(size_t floats) {
  static float* buffer = nullptr;
  static size_t size = 0;
  if (floats > size) {
    free(buffer);
    buffer = static_cast<float*>(malloc(floats * sizeof(float)));
    size = buffer ? floats : 0;
  }
  return buffer;
}

// Rows of whole images per chunk so the im2col block stays within kScratchFloats (at least one image).
int ImagesPerChunk(const ConvGeometry& g, int64_t k) {
  const int64_t perImage = static_cast<int64_t>(g.outHeight) * g.outWidth * k;
  const int64_t n = perImage > 0 ? static_cast<int64_t>(kScratchFloats) / perImage : g.batch;
  return static_cast<int>(n < 1 ? 1 : (n > g.batch ? g.batch : n));
}

// A 1×1 filter with stride 1 and no padding reads x as it is: no im2col needed.
bool IsPointwise(const ConvGeometry& g) {
  return g.filterHeight == 1 && g.filterWidth == 1 && g.strideHeight == 1 && g.strideWidth == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.outHeight == g.inHeight && g.outWidth == g.inWidth;
}

// Visits every (output pixel, filter row) pair of `images` images in a fixed order, as
// f(span, x, iw0): `span` the fW·C floats of the pixel's im2col row that filter row fills, `x` the
// offset of input row ih in x (or -1 when ih is padding) and iw0 the input column of its first tap.
// Im2col and Col2im share it so they stay each other's adjoint.
template <typename F>
void ForEachFilterRow(const ConvGeometry& g, int images, F f) {
  const size_t c = static_cast<size_t>(g.inChannels);
  const size_t span = g.filterWidth * c;
  size_t at = 0;
  for (int b = 0; b < images; b++) {
    const size_t image = static_cast<size_t>(b) * g.inHeight * g.inWidth * c;
    for (int oh = 0; oh < g.outHeight; oh++) {
      for (int ow = 0; ow < g.outWidth; ow++) {
        for (int kh = 0; kh < g.filterHeight; kh++, at += span) {
          const int ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          const int64_t x = ih < 0 || ih >= g.inHeight ? -1 : static_cast<int64_t>(image + static_cast<size_t>(ih) * g.inWidth * c);
          f(at, x, ow * g.strideWidth - g.padLeft);
        }
      }
    }
  }
}

// With dilation 1 a filter row's taps are fW·C consecutive floats of x (NHWC), all inside or not.
bool Contiguous(const ConvGeometry& g, int iw0) { return g.dilationWidth == 1 && iw0 >= 0 && iw0 + g.filterWidth <= g.inWidth; }

// col[(b·outH + oh)·outW + ow][(kh·fW + kw)·C + ci] = x[b][oh·sH + kh·dH − padTop][ow·sW + kw·dW − padLeft][ci], 0 outside.
void Im2col(const ConvGeometry& g, const float* x, int images, float* col) {
  const int c = g.inChannels;
  const size_t span = static_cast<size_t>(g.filterWidth) * c;
  ForEachFilterRow(g, images, [&](size_t at, int64_t row, int iw0) {
    float* __restrict dst = col + at;
    if (row < 0) {
      for (size_t i = 0; i < span; i++) dst[i] = 0.0f;
    } else if (Contiguous(g, iw0)) {
      const float* __restrict from = x + row + static_cast<size_t>(iw0) * c;
      for (size_t i = 0; i < span; i++) dst[i] = from[i];
    } else {
      for (int kw = 0; kw < g.filterWidth; kw++) {
        const int iw = iw0 + kw * g.dilationWidth;
        const bool inside = iw >= 0 && iw < g.inWidth;
        for (int ci = 0; ci < c; ci++) dst[kw * c + ci] = inside ? x[row + static_cast<int64_t>(iw) * c + ci] : 0.0f;
      }
    }
  });
}

// The adjoint of Im2col: dx[…] += col[…] for every in-bounds tap, in Im2col's order (dx zeroed by the caller).
void Col2im(const ConvGeometry& g, const float* col, int images, float* dx) {
  const int c = g.inChannels;
  const size_t span = static_cast<size_t>(g.filterWidth) * c;
  ForEachFilterRow(g, images, [&](size_t at, int64_t row, int iw0) {
    const float* __restrict src = col + at;
    if (row < 0) return;
    if (Contiguous(g, iw0)) {
      float* __restrict to = dx + row + static_cast<size_t>(iw0) * c;
      for (size_t i = 0; i < span; i++) to[i] += src[i];
      return;
    }
    for (int kw = 0; kw < g.filterWidth; kw++) {
      const int iw = iw0 + kw * g.dilationWidth;
      if (iw < 0 || iw >= g.inWidth) continue;
      for (int ci = 0; ci < c; ci++) dx[row + static_cast<int64_t>(iw) * c + ci] += src[kw * c + ci];
    }
  });
}

enum class ConvOp { Forward, BackpropInput, BackpropFilter };

// The three convolution kernels share their argument handling: (a, b, out, geometry).
//   Forward:        a = x,  b = filter, out = y      y  = im2col(x)·W
//   BackpropInput:  a = dy, b = filter, out = dx     dx = col2im(dy·Wᵀ)
//   BackpropFilter: a = x,  b = dy,     out = dW     dW = im2col(x)ᵀ·dy
napi_value Conv(napi_env env, napi_callback_info info, ConvOp op, const char* fn, const char* const (&names)[4]) {
  Args args(env, info, fn, names);
  args.NeedsBlas(blas.sgemm != nullptr);
  const Floats in[3] = {args.Float32(), args.Float32(), args.Float32()};
  ConvGeometry g;
  if (!ReadGeometry(args, &g)) return nullptr;
  const int k = g.filterHeight * g.filterWidth * g.inChannels;
  const int64_t xCount = static_cast<int64_t>(g.batch) * g.inHeight * g.inWidth * g.inChannels;
  const int64_t yCount = static_cast<int64_t>(g.batch) * g.outHeight * g.outWidth * g.outChannels;
  const int64_t wCount = static_cast<int64_t>(k) * g.outChannels;
  const int64_t want[3][3] = {{xCount, wCount, yCount}, {yCount, wCount, xCount}, {xCount, yCount, wCount}};
  const int row = static_cast<int>(op);
  for (int i = 0; i < 3; i++) {
    if (!args.Length(in[i], want[row][i], "the geometry")) return nullptr;
  }
  float* arrays[3] = {in[0].data, in[1].data, in[2].data};
  const bool pointwise = IsPointwise(g);
  const int images = ImagesPerChunk(g, k);
  float* col = pointwise ? nullptr : Scratch(static_cast<size_t>(images) * g.outHeight * g.outWidth * k);
  if (!pointwise && col == nullptr) return Throw(env, std::string(fn) + ": out of memory for the im2col buffer");
  const size_t xImage = static_cast<size_t>(g.inHeight) * g.inWidth * g.inChannels;
  const size_t yImage = static_cast<size_t>(g.outHeight) * g.outWidth * g.outChannels;
  const size_t pixels = static_cast<size_t>(g.outHeight) * g.outWidth;
  float* out = arrays[2];
  if (op == ConvOp::BackpropInput && !pointwise) memset(out, 0, sizeof(float) * static_cast<size_t>(xCount));
  for (int b0 = 0; b0 < g.batch; b0 += images) {
    const int n = g.batch - b0 < images ? g.batch - b0 : images;
    const int rows = static_cast<int>(pixels * n);
    switch (op) {
      case ConvOp::Forward: {
        const float* x = arrays[0] + b0 * xImage;
        const float* a = x;
        if (!pointwise) {
          Im2col(g, x, n, col);
          a = col;
        }
        blas.sgemm(kRowMajor, kNoTrans, kNoTrans, rows, g.outChannels, k, 1.0f, a, k, arrays[1], g.outChannels, 0.0f, out + b0 * yImage, g.outChannels);
        break;
      }
      case ConvOp::BackpropInput: {
        float* dst = pointwise ? out + b0 * xImage : col;
        blas.sgemm(kRowMajor, kNoTrans, kTrans, rows, k, g.outChannels, 1.0f, arrays[0] + b0 * yImage, g.outChannels, arrays[1], g.outChannels, 0.0f, dst, k);
        if (!pointwise) Col2im(g, col, n, out + b0 * xImage);
        break;
      }
      case ConvOp::BackpropFilter: {
        const float* x = arrays[0] + b0 * xImage;
        const float* a = x;
        if (!pointwise) {
          Im2col(g, x, n, col);
          a = col;
        }
        blas.sgemm(kRowMajor, kTrans, kNoTrans, k, g.outChannels, rows, 1.0f, a, k, arrays[1] + b0 * yImage, g.outChannels, b0 == 0 ? 0.0f : 1.0f, out, g.outChannels);
        break;
      }
    }
  }
  return nullptr;
}

const char* const kForwardNames[4] = {"x", "filter", "y", "geometry"};
const char* const kInputNames[4] = {"dy", "filter", "dx", "geometry"};
const char* const kFilterNames[4] = {"x", "dy", "dw", "geometry"};
napi_value Conv2d(napi_env env, napi_callback_info info) { return Conv(env, info, ConvOp::Forward, "conv2d", kForwardNames); }
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) { return Conv(env, info, ConvOp::BackpropInput, "conv2dBackpropInput", kInputNames); }
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) { return Conv(env, info, ConvOp::BackpropFilter, "conv2dBackpropFilter", kFilterNames); }

// maxPoolGrad(x, dy, dx, geometry): each pooling window passes its gradient to its first maximum in
// row-major window order (strictly greater wins), as TF.js's cpu backend does. Needs no BLAS; it
// lives here because the JS loop was the largest kernel left in a CNN's training step. geometry's
// outChannels must equal inChannels (pooling keeps channels); dilations are 1.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "maxPoolGrad", {"x", "dy", "dx", "geometry"});
  const Floats in[3] = {args.Float32(), args.Float32(), args.Float32()};
  ConvGeometry g;
  if (!ReadGeometry(args, &g)) return nullptr;
  if (g.outChannels != g.inChannels) {
    return args.Fail("geometry.outChannels must equal inChannels (" + std::to_string(g.inChannels) + "), got " + std::to_string(g.outChannels));
  }
  const size_t c = static_cast<size_t>(g.inChannels);
  const int64_t xCount = static_cast<int64_t>(g.batch) * g.inHeight * g.inWidth * g.inChannels;
  const int64_t yCount = static_cast<int64_t>(g.batch) * g.outHeight * g.outWidth * g.inChannels;
  const int64_t want[3] = {xCount, yCount, xCount};
  for (int i = 0; i < 3; i++) {
    if (!args.Length(in[i], want[i], "the geometry")) return nullptr;
  }
  const float* __restrict x = in[0].data;
  const float* __restrict dy = in[1].data;
  float* __restrict dx = in[2].data;
  memset(dx, 0, sizeof(float) * static_cast<size_t>(xCount));
  std::vector<float> best(c);
  std::vector<size_t> where(c);
  size_t at = 0;
  for (int b = 0; b < g.batch; b++) {
    const size_t image = static_cast<size_t>(b) * g.inHeight * g.inWidth * c;
    for (int oh = 0; oh < g.outHeight; oh++) {
      const int h0 = oh * g.strideHeight - g.padTop;
      const int hStart = h0 < 0 ? 0 : h0;
      const int hEnd = h0 + g.filterHeight < g.inHeight ? h0 + g.filterHeight : g.inHeight;
      for (int ow = 0; ow < g.outWidth; ow++, at += c) {
        const int w0 = ow * g.strideWidth - g.padLeft;
        const int wStart = w0 < 0 ? 0 : w0;
        const int wEnd = w0 + g.filterWidth < g.inWidth ? w0 + g.filterWidth : g.inWidth;
        if (hStart >= hEnd || wStart >= wEnd) continue;
        const size_t first = image + (static_cast<size_t>(hStart) * g.inWidth + wStart) * c;
        for (size_t ci = 0; ci < c; ci++) {
          best[ci] = x[first + ci];
          where[ci] = first + ci;
        }
        for (int h = hStart; h < hEnd; h++) {
          for (int w = h == hStart ? wStart + 1 : wStart; w < wEnd; w++) {
            const size_t pixel = image + (static_cast<size_t>(h) * g.inWidth + w) * c;
            for (size_t ci = 0; ci < c; ci++) {
              const float v = x[pixel + ci];
              if (v > best[ci]) {
                best[ci] = v;
                where[ci] = pixel + ci;
              }
            }
          }
        }
        for (size_t ci = 0; ci < c; ci++) dx[where[ci]] += dy[at + ci];
      }
    }
  }
  return nullptr;
}

napi_value InfoObject(napi_env env) {
  napi_value obj;
  napi_create_object(env, &obj);
  Set(env, obj, "path", String(env, blas.path));
  Set(env, obj, "resolved", String(env, blas.resolved));
  napi_value isOpenblas;
  napi_get_boolean(env, blas.openblas, &isOpenblas);
  Set(env, obj, "openblas", isOpenblas);
  Set(env, obj, "config", String(env, blas.config));
  Set(env, obj, "corename", String(env, blas.corename));
  napi_value threads;
  napi_create_int32(env, blas.getThreads ? blas.getThreads() : 1, &threads);
  Set(env, obj, "threads", threads);
  return obj;
}

std::string CString(GetStringFn f) {
  if (f == nullptr) return "";
  const char* s = f();
  return s ? std::string(s) : "";
}

void Close() {
  if (blas.handle) dlclose(blas.handle);
  blas = Blas();
}

// open(path): loads a BLAS, pins it to one thread, returns info(). Throws with dlopen's reason.
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char path[4096];
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len == 0) {
    return ThrowRange(env, "open: expected the path or soname of a BLAS library, e.g. libopenblas.so.0");
  }
  if (blas.handle) {
    if (blas.path == path) return InfoObject(env);
    return Throw(env, "open: " + blas.path + " is already loaded in this process; close() it before opening " + path);
  }
  // Parallelism comes from grader processes, one per core: OpenBLAS must not start a thread per
  // core in each of them. The variable is read when the library loads (a value the user set wins
  // there); openblas_set_num_threads(1) below pins it either way.
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
  void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Throw(env, std::string("open: ") + (why ? why : "dlopen failed"));
  }
  auto sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
  if (sgemm == nullptr) {
    dlclose(handle);
    return Throw(env, std::string("open: ") + path + " does not export cblas_sgemm");
  }
  blas.handle = handle;
  blas.sgemm = sgemm;
  blas.path = path;
  Dl_info where;
  if (dladdr(reinterpret_cast<void*>(sgemm), &where) != 0 && where.dli_fname) {
    char* real = realpath(where.dli_fname, nullptr);
    blas.resolved = real ? real : where.dli_fname;
    free(real);
  }
  auto setThreads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
  blas.getThreads = reinterpret_cast<GetThreadsFn>(dlsym(handle, "openblas_get_num_threads"));
  blas.openblas = setThreads != nullptr;
  if (setThreads) setThreads(1);
  blas.config = CString(reinterpret_cast<GetStringFn>(dlsym(handle, "openblas_get_config")));
  blas.corename = CString(reinterpret_cast<GetStringFn>(dlsym(handle, "openblas_get_corename")));
  return InfoObject(env);
}

napi_value CloseFn(napi_env, napi_callback_info) {
  Close();
  return nullptr;
}

// info(): the loaded BLAS, or undefined when none is.
napi_value Info(napi_env env, napi_callback_info) {
  if (blas.handle == nullptr) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    return undef;
  }
  return InfoObject(env);
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"close", nullptr, CloseFn, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"rmsprop", nullptr, Rmsprop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"columnSums", nullptr, ColumnSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dropoutMask", nullptr, DropoutMask, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"l2Penalty", nullptr, L2Penalty, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"l2PenaltyGrad", nullptr, L2PenaltyGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gatherByteRows", nullptr, GatherByteRows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"relu", nullptr, Relu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasRelu", nullptr, BiasRelu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"crossentropyGrad", nullptr, CrossentropyGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
