import { writeWorkflowBundle } from '../temporal/workflow-bundle';

/** `npm run build:workflows`: the pre-built bundle production workers load (WORKFLOW_BUNDLE_PATH). */
const out = process.argv[2] ?? 'dist/workflow-bundle.js';
await writeWorkflowBundle(out);
console.log(`workflow bundle written to ${out}`);
