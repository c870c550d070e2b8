// In band: every file checks that the host holds no container state afterwards, which another
// file's containers running in parallel would break.
module.exports = { ...require('../jest.base.cjs'), maxWorkers: 1, testMatch: ['<rootDir>/e2e/**/*.test.ts', '<rootDir>/vm/**/*.test.ts', '<rootDir>/escapes/**/*.test.ts'] };
