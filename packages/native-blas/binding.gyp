{
  "targets": [
    {
      "target_name": "native_blas",
      "sources": ["src/native_blas.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-Wall", "-Wextra", "-ffp-contract=off", "-fno-math-errno"],
      "libraries": ["-ldl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
