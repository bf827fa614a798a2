// Entry of a pool worker process: from src (tests, tsx) this file; in a bundle, the separate entry
// dist/engine-worker.js built from it, or the bundle itself started with ENGINE_WORKER_ARG.
import { runEngineWorker } from './engine-worker.js';

await runEngineWorker();
