/** Jest configuration: TypeScript through ts-jest, tests under test/. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // Notebook execution and the browser check are slow; give them room.
  testTimeout: 120000,
};
