// One suite: it packs and installs every package once (in parallel), then checks each.
module.exports = { ...require('../../jest.base.cjs'), testMatch: ['<rootDir>/*.test.ts'], testTimeout: 240000 };
