import { ensureBinary } from '../temporal/binaries';

/** Run by `npm install` (postinstall) and before `npm start` / `npm test`: cheap when done. */
const log = (line: string) => console.log(`[npsflow] temporal binaries: ${line}`);
// Container images talk to a real cluster and need neither binary.
if (process.env.NPSFLOW_SKIP_TEMPORAL_PROVISION === '1') {
  log('skipped (NPSFLOW_SKIP_TEMPORAL_PROVISION=1)');
  process.exit(0);
}
const cli = ensureBinary('cli', process.env.TEMPORAL_CLI_PATH || undefined, log);
const testServer = ensureBinary('testServer', process.env.TEMPORAL_TEST_SERVER_PATH || undefined, log);
log(`cli ${cli}`);
log(`test server ${testServer}`);
