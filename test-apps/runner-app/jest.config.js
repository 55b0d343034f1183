// The one line patchrun needs under jest: its runtime, which patches what jest loads into each test file.
module.exports = {
  runtime: 'patchrun/jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/jest'],
}
