import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source; Next compiles them like app code.
  transpilePackages: ["@stepwise/core", "@stepwise/db", "@stepwise/exercises"],
  // Native or Node-only modules stay as runtime `require`s instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "kysely", "@tensorflow/tfjs-node"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
