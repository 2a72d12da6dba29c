// Every workflow the worker runs (its workflowsPath). Workflow code is deterministic: it imports
// only workflows/ and pure domain/ modules, and activities as types through proxyActivities.
export {};
