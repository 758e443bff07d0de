/**
 * The package's entry point (`import { createPactMock } from "pact-oauth-conformance"`):
 * the mock's factory and its option types, the fixture types, and the types of a
 * live target file for the conformance kit (its JSON Schema is exported as
 * "pact-oauth-conformance/target-file.schema.json").
 */
export { createPactMock, type PactMock, type PactMockOptions } from "./app.ts";
export { type Clock, createClock, createManualClock } from "./clock.ts";
export type { ControlOperations, FaultsView } from "./control/router.ts";
export { FAULT_NAMES, type FaultName, UnknownFaultError } from "./faults.ts";
export {
  type AppFileEntry,
  type FixtureApp,
  type Fixtures,
  DEFAULT_FIXTURES_PATH,
  FixtureError,
  FixturesSchema,
  loadAppFiles,
  loadFixtures,
  mergeAppFiles,
  parseFixtures,
} from "./fixtures.ts";
export { type AutoApproveDecision, type AutoApproveSetting, type AutoApproveState, UnknownAutoApproveUserError } from "./oauth/auto-approve.ts";
export { SHAPE_PRESET_NAMES, type Shape, type ShapeInput, type ShapePresetName, UnknownShapeError } from "./shape.ts";
export type { ApiSpec, AppIdentity, KitParams, Recipe, TargetFile, UserIdentity } from "../suites/targets/schema.ts";
