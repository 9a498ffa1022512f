// Hand-written entry point of @helium/sdk (deploy/gen-sdks.sh only writes src/generated/).
//
// Re-exports the generated APIs, models and runtime, and adds the Helium-specific
// error type and client factory.

export * from './generated/index.js';
export { HeliumProblemError, isHeliumProblemError, type HeliumFieldError, type HeliumProblem } from './problem.js';
export {
    createHeliumClient,
    createHeliumConfiguration,
    heliumProblemMiddleware,
    type HeliumClient,
    type HeliumClientOptions,
} from './client.js';
