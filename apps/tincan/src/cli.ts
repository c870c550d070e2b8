/** The `tincan` command line (bin/tincan loads this). */
export { main } from './cli/main';
