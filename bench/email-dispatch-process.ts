import { openDatabase } from '../db';
import { ResendTransport, startEmailDispatcher } from '../email';

/**
 * One dispatcher as its own process, for bench/email-dispatch.ts to kill mid-way:
 *   DATABASE_URL=… RESEND_BASE_URL=… npx tsx bench/email-dispatch-process.ts <requests per second>
 */
const database = await openDatabase(process.env.DATABASE_URL!);
const dispatcher = startEmailDispatcher(database.db, {
  transport: new ResendTransport({ apiKey: 're_bench', baseUrl: process.env.RESEND_BASE_URL! }),
  requestsPerSecond: Number(process.argv[2] ?? 2),
  idleMs: 50,
});
process.on('SIGTERM', () => {
  void dispatcher.stop().then(() => database.close()).then(() => process.exit(0));
});
