module.exports = { ...require('../jest.base.cjs'), testMatch: ['<rootDir>/e2e/**/*.test.ts', '<rootDir>/vm/**/*.test.ts'] };
