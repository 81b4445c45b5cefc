// Filled in by the instructor-side work (issue 7); exported from index.ts.
export {};
