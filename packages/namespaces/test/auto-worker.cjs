// Run by userns-auto.test.ts in separate node processes, so that allocations really race.
const { autoIdMap } = require('../dist/index.js');
const [stateDir, subuidFile, subgidFile] = process.argv.slice(2);
process.stdout.write(JSON.stringify(autoIdMap({ stateDir, subuidFile, subgidFile })));
