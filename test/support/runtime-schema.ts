/**
 * The OCI runtime-spec JSON schema (draft-04), as Debian ships it in
 * golang-github-opencontainers-specs-dev, compiled with ajv into a validator
 * for `config.json`.
 *
 * ```
 * /usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema/
 * ├── config-schema.json   the root: refs config-linux.json#/linux, defs.json …
 * ├── config-linux.json, defs.json, defs-linux.json, …
 * ```
 *
 * The schema directory is a prerequisite like a tool: outside CI a missing one
 * skips the check with a one-line reason, with `CI=true` it fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv-draft-04';
import { inCI } from '../../fixtures/ci.js';

/** Where Debian installs the schema; `RUNTIME_SPEC_SCHEMA_DIR` overrides it. */
export const SCHEMA_DIR =
  process.env.RUNTIME_SPEC_SCHEMA_DIR ?? '/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema';

/** What a check needs to know about the schema, like a `Prerequisite`. */
export interface SchemaPrerequisite {
  /** True when the schema is missing and this is not CI. */
  skip: boolean;
  /** The one-line reason shown for a skip, and the failure message in CI. */
  reason: string;
}

// A CommonJS module: under NodeNext its default import is module.exports, whose .default is the class.
const Ajv = AjvModule.default;

const present = fs.existsSync(path.join(SCHEMA_DIR, 'config-schema.json'));

/** Whether the schema is installed, for `it.skipIf(runtimeSchema.skip)`. */
export const runtimeSchema: SchemaPrerequisite = {
  skip: !present && !inCI,
  reason: `the OCI runtime-spec schema is not installed (apt-get install golang-github-opencontainers-specs-dev); this check is skipped`,
};

/** Validates a config.json: the list of schema errors, empty when it is valid. */
export type SpecValidator = (spec: unknown) => string[];

let compiled: SpecValidator | undefined;

/**
 * The validator of `config-schema.json` with every sibling schema registered
 * under its file name (the schema's `$ref`s name files, not ids).
 * @throws Error with the reason when the schema is missing (in CI).
 */
export function specValidator(): SpecValidator {
  if (compiled) return compiled;
  if (!present) throw new Error(`${runtimeSchema.reason.replace(/; this.*$/, '')}: CI requires it`);
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  for (const file of fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json') && f !== 'config-schema.json')) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object, file);
  }
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'config-schema.json'), 'utf8')) as object);
  compiled = (spec) => {
    if (validate(spec)) return [];
    return (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  };
  return compiled;
}
