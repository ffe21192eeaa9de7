/**
 * End-to-end tests (npm run test:e2e): the prebuilt OHIF app with our bundles in Debian's
 * Chromium, against a private Orthanc. Run after `npm run build` (the script does).
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
  },
  testTimeout: 240000,
  // One browser at a time: the machines running this have few cores.
  maxWorkers: 1,
  // Node's fetch keeps idle keep-alive sockets to the private Orthanc after it stops.
  forceExit: true,
};
