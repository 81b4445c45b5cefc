// Argument checking for the addon's exports (native_blas.cc, its only includer).
//
// Every export reads its arguments through one Args: the constructor checks their count, then each
// reader takes the next argument and checks it. The first that does not fit throws a RangeError
// naming the function, the argument, what it must be and what came ("columnSums: out must be a
// Float32Array, got an object"), because a wrong length or stride here reads or writes outside the
// wasm heap instead of throwing. After a failure every reader returns an empty value without reading
// or throwing, so a kernel reads all its arguments, checks how they fit together, and asks ok() once
// before it touches memory.

#ifndef STEPWISE_NATIVE_BLAS_ARGS_H_
#define STEPWISE_NATIVE_BLAS_ARGS_H_

#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace native_blas {

inline napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_NATIVE_BLAS", message.c_str());
  return nullptr;
}

inline napi_value ThrowRange(napi_env env, const std::string& message) {
  napi_throw_range_error(env, "ERR_NATIVE_BLAS_ARGUMENT", message.c_str());
  return nullptr;
}

// What came, for "…, got <this>": a number as %g, else its kind.
inline std::string Describe(napi_env env, napi_value value) {
  if (value == nullptr) return "nothing";
  napi_valuetype type;
  napi_typeof(env, value, &type);
  switch (type) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: {
      double d = 0;
      napi_get_value_double(env, value, &d);
      char buf[64];
      snprintf(buf, sizeof buf, "%g", d);
      return buf;
    }
    case napi_string: return "a string";
    case napi_object: {
      bool typed = false;
      napi_is_typedarray(env, value, &typed);
      return typed ? "a typed array of another type" : "an object";
    }
    default: return "a value of another type";
  }
}

// A typed-array argument: its memory, its element count and its name (for messages).
template <typename T>
struct Array {
  T* data = nullptr;
  size_t length = 0;
  const char* name = "";
};
using Floats = Array<float>;

// The typed array each element type must come as.
template <typename T>
struct TypedArrayOf;
template <>
struct TypedArrayOf<float> {
  static constexpr napi_typedarray_type kType = napi_float32_array;
  static constexpr const char* kWhat = "a Float32Array";
};
template <>
struct TypedArrayOf<uint8_t> {
  static constexpr napi_typedarray_type kType = napi_uint8_array;
  static constexpr const char* kWhat = "a Uint8Array";
};
template <>
struct TypedArrayOf<int32_t> {
  static constexpr napi_typedarray_type kType = napi_int32_array;
  static constexpr const char* kWhat = "an Int32Array";
};

class Args {
 public:
  static constexpr size_t kMax = 13;  // sgemm's

  // Reads the call's arguments and checks that there are as many as `names`:
  // "sgemm takes 13 arguments (transA, …, ldc), got 12".
  template <size_t N>
  Args(napi_env env, napi_callback_info info, const char* fn, const char* const (&names)[N]) : env_(env), fn_(fn), count_(N) {
    static_assert(N >= 1 && N <= kMax, "Args holds at most kMax arguments");
    for (size_t i = 0; i < N; i++) names_[i] = names[i];
    // Room for N: napi fills missing ones with undefined and still reports how many came.
    size_t argc = N;
    napi_get_cb_info(env, info, &argc, argv_, nullptr, nullptr);
    if (argc != N) {
      std::string list;
      for (size_t i = 0; i < N; i++) list += (i == 0 ? "" : ", ") + std::string(names[i]);
      Refuse(std::string(fn) + " takes " + std::to_string(N) + (N == 1 ? " argument (" : " arguments (") + list + "), got " + std::to_string(argc));
    }
  }

  bool ok() const { return ok_; }
  napi_env env() const { return env_; }

  // Throws "<fn>: <what>" as a RangeError (once); returns nullptr for `return args.Fail(…)`.
  napi_value Fail(const std::string& what) {
    Refuse(std::string(fn_) + ": " + what);
    return nullptr;
  }

  // "<fn>: <name> must be <what>, got <what came>".
  bool Expected(const std::string& name, const std::string& what, napi_value got) {
    Fail(name + " must be " + what + ", got " + Describe(env_, got));
    return false;
  }

  // The kernels that call sgemm: a plain Error when open() has not loaded a BLAS.
  bool NeedsBlas(bool loaded) {
    if (ok_ && !loaded) {
      Throw(env_, std::string(fn_) + ": no BLAS is loaded (open() one first)");
      ok_ = false;
    }
    return ok_;
  }

  // ---- Readers: each takes the next argument ----

  // A typed array of T: "must be a Float32Array, got an object". A view of a detached buffer (e.g. the
  // wasm heap after it grew) has no data: a plain Error tells the caller to take a fresh view.
  template <typename T>
  Array<T> Typed() {
    Array<T> out;
    napi_value v = Next(&out.name);
    if (!ok_) return out;
    bool typed = false;
    napi_is_typedarray(env_, v, &typed);
    napi_typedarray_type type = napi_int8_array;
    void* ptr = nullptr;
    size_t length = 0;
    if (typed) napi_get_typedarray_info(env_, v, &type, &length, &ptr, nullptr, nullptr);
    if (!typed || type != TypedArrayOf<T>::kType) {
      Expected(out.name, TypedArrayOf<T>::kWhat, v);
      return out;
    }
    if (ptr == nullptr && length > 0) {
      Throw(env_, std::string(fn_) + ": " + out.name + " has no memory (its buffer was detached; take a fresh view)");
      ok_ = false;
      return out;
    }
    out.data = static_cast<T*>(ptr);
    out.length = length;
    return out;
  }
  Floats Float32() { return Typed<float>(); }

  // A number for which fits() holds, `what` saying which: "epsilon must be in [0, 0.5), got 0.7".
  double Number(bool (*fits)(double), const char* what) {
    const char* name = "";
    napi_value v = Next(&name);
    double d = 0;
    if (!ok_) return 0;
    if (napi_get_value_double(env_, v, &d) != napi_ok || !fits(d)) {
      Expected(name, what, v);
      return 0;
    }
    return d;
  }
  double Finite() {
    return Number([](double d) { return static_cast<bool>(std::isfinite(d)); }, "a finite number");
  }

  // An integer in [min, max]: "m must be an integer in [0, 2147483647], got -1".
  int64_t Integer(double min, double max) {
    const char* name = "";
    napi_value v = Next(&name);
    int64_t out = 0;
    if (ok_) IntegerValue(v, name, nullptr, min, max, &out);
    return out;
  }

  bool Bool() {
    const char* name = "";
    napi_value v = Next(&name);
    bool out = false;
    if (ok_ && napi_get_value_bool(env_, v, &out) != napi_ok) Expected(name, "a boolean", v);
    return out;
  }

  // The next argument as it is, for readers of structured arguments; `name` receives its name.
  napi_value Next(const char** name) {
    const size_t i = next_++;
    if (i >= count_) {
      *name = "?";
      if (ok_) {
        Throw(env_, std::string(fn_) + " reads more arguments than it declares");
        ok_ = false;
      }
      return nullptr;
    }
    *name = names_[i];
    return ok_ ? argv_[i] : nullptr;
  }

  // v (nullptr when it could not be read) as an integer in [min, max], or false after throwing. v is
  // `name`, or its `field` when that is given ("geometry.padTop").
  bool IntegerValue(napi_value v, const char* name, const char* field, double min, double max, int64_t* out) {
    double d = 0;
    if (v == nullptr || napi_get_value_double(env_, v, &d) != napi_ok || !std::isfinite(d) || d != std::floor(d) || d < min || d > max) {
      const std::string range = "[" + std::to_string(static_cast<int64_t>(min)) + ", " + std::to_string(static_cast<int64_t>(max)) + "]";
      return Expected(field == nullptr ? std::string(name) : std::string(name) + "." + field, "an integer in " + range, v);
    }
    *out = static_cast<int64_t>(d);
    return true;
  }

  // ---- How arguments already read fit together ----

  // Each of `others` holds as many floats as ref: "moment holds 3 floats, value holds 4".
  bool SameLength(const Floats& ref, std::initializer_list<Floats> others) {
    for (const Floats& a : others) {
      if (ok_ && a.length != ref.length) {
        Fail(std::string(a.name) + " holds " + std::to_string(a.length) + " floats, " + ref.name + " holds " + std::to_string(ref.length));
      }
    }
    return ok_;
  }

  // a holds exactly `want` floats: "x holds 49 floats, the geometry needs 50".
  bool Length(const Floats& a, int64_t want, const char* source) {
    if (ok_ && static_cast<int64_t>(a.length) != want) {
      Fail(std::string(a.name) + " holds " + std::to_string(a.length) + " floats, " + source + " needs " + std::to_string(want));
    }
    return ok_;
  }

  // The rows of m, a row-major matrix of cols.length columns:
  // "x must hold whole rows of out's 3 columns, got 10 floats".
  size_t RowsOf(const Floats& m, const Floats& cols) {
    return Quotient(m, cols, [&] {
      return std::string(m.name) + " must hold whole rows of " + cols.name + "'s " + std::to_string(cols.length) + " columns, got " +
             std::to_string(m.length) + " floats";
    });
  }

  // The columns of m, a row-major matrix of one row per value of rows:
  // "p must hold one row per value of s, got 7 floats for 2 rows".
  size_t ColumnsOf(const Floats& m, const Floats& rows) {
    return Quotient(m, rows, [&] {
      return std::string(m.name) + " must hold one row per value of " + rows.name + ", got " + std::to_string(m.length) + " floats for " +
             std::to_string(rows.length) + " rows";
    });
  }

 private:
  // m.length / by.length when that divides evenly (nothing holds 0 rows or columns of nothing), else
  // 0 after throwing what message() says.
  template <typename Message>
  size_t Quotient(const Floats& m, const Floats& by, Message message) {
    const bool whole = by.length == 0 ? m.length == 0 : m.length % by.length == 0;
    if (ok_ && !whole) Fail(message());
    return whole && by.length > 0 ? m.length / by.length : 0;
  }

  void Refuse(const std::string& message) {
    if (!ok_) return;
    ThrowRange(env_, message);
    ok_ = false;
  }

  napi_env env_;
  const char* fn_;
  size_t count_;
  size_t next_ = 0;
  bool ok_ = true;
  const char* names_[kMax] = {};
  napi_value argv_[kMax] = {};
};

}  // namespace native_blas

#endif  // STEPWISE_NATIVE_BLAS_ARGS_H_
