import type { ArgumentMetadata, PipeTransform, Type, ValidationPipe } from '@nestjs/common';
import { createRequire } from 'node:module';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { isPlainObject } from './text.js';

/** class-transformer's decorator registry, the one `plainToInstance` (and so the ValidationPipe) reads. */
const { defaultMetadataStorage } = createRequire(import.meta.url)(
  'class-transformer/cjs/storage.js',
) as { defaultMetadataStorage: MetadataStorage };

/**
 * A body pipe that gives exactly what `slow` (a Nest `ValidationPipe` with `transform: true`,
 * `whitelist: true`, `stopAtFirstError: true`, no implicit conversion, no groups) gives, in one cheap
 * pass over a valid body (issue 11, docs/benchmarks.md: class-transformer's copy and class-validator's
 * per-request metadata lookups cost 100–180 µs per registration request, before the registration rules
 * validate the same body again).
 *
 * Per DTO class, once: class-validator's own rules for the class (its constraint instances, in the
 * order the `ValidationPipe` applies them) are compiled into a list per property. A body is accepted
 * here only when every rule passes and every kept value is a primitive or an array of primitives, which
 * class-transformer would copy as they are; the result is then an instance of the class with the
 * declared properties of the body, as `plainToInstance` followed by the whitelist builds it.
 * Anything else — a rule that fails (so that the error message, chosen by class-validator, is the one
 * the API always gave), a nested object, a class or a rule this does not model (nested validation,
 * `@IsDefined`, `validateIf`, groups, asynchronous constraints, class-transformer decorators) — goes
 * to `slow`, unchanged. So the fast pass can only ever answer for bodies `slow` would accept, with the
 * same value; src/client-registration/client-metadata.pipe.spec.ts compares both on hostile bodies.
 */
export class CompiledValidationPipe implements PipeTransform {
  private readonly plans = new WeakMap<Type<unknown>, Plan | null>();

  constructor(private readonly slow: ValidationPipe) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const metatype = metadata.metatype as Type<unknown> | undefined;
    if (metatype && isPlainObject(value)) {
      let plan = this.plans.get(metatype);
      if (plan === undefined) {
        plan = compile(metatype);
        this.plans.set(metatype, plan);
      }
      const accepted = plan ? accept(plan, value) : null;
      if (accepted) return accepted;
    }
    return this.slow.transform(value, metadata);
  }
}

/** The metatypes the ValidationPipe passes through unvalidated (its `toValidate`). */
const BUILT_IN_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

/** One property's rules, in class-validator's order. */
interface PropertyPlan {
  name: string;
  optional: boolean;
  rules: Rule[];
}

interface Rule {
  each: boolean;
  constraints: unknown[];
  validate: (value: unknown, args: ValidationArguments) => unknown;
}

interface Plan {
  type: Type<unknown>;
  properties: PropertyPlan[];
  declared: ReadonlySet<string>;
}

/** The validation plan of `type`, or null when it uses something the fast pass does not model. */
function compile(type: Type<unknown>): Plan | null {
  // Built-in types are not validated by the ValidationPipe at all (it returns the value as it is).
  if (BUILT_IN_TYPES.has(type) || hasTransformerMetadata(type)) return null;
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(type, '', false, false, undefined);
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = [];
  for (const [name, list] of Object.entries(grouped)) {
    const plan: PropertyPlan = { name, optional: false, rules: [] };
    for (const m of list) {
      if (m.groups?.length || m.always !== undefined || m.validateIf) return null;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION && m.name === 'isOptional') {
        plan.optional = true;
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return null;
          const instance = c.instance as {
            validate: (value: unknown, args: ValidationArguments) => unknown;
          };
          plan.rules.push({
            each: Boolean(m.each),
            constraints: (m.constraints ?? []) as unknown[],
            validate: instance.validate.bind(instance),
          });
        }
      } else {
        return null;
      }
    }
    properties.push(plan);
  }
  // A class without rules: the whitelist would empty it; leave that (rare) case to the ValidationPipe.
  if (properties.length === 0) return null;
  return { type, properties, declared: new Set(properties.map((p) => p.name)) };
}

/** Whether class-transformer has decorators for `type` (then its copy is not a plain copy). */
function hasTransformerMetadata(type: Type<unknown>): boolean {
  const s = defaultMetadataStorage;
  if (s.getStrategy(type) !== 'none') return true;
  if (s.getExposedMetadatas(type).length > 0 || s.getExcludedMetadatas(type).length > 0) {
    return true;
  }
  const storage = getMetadataStorage();
  for (const m of storage.getTargetValidationMetadatas(type, '', false, false, undefined)) {
    if (s.findTypeMetadata(type, m.propertyName)) return true;
    if (s.findTransformMetadatas(type, m.propertyName, 0).length > 0) return true;
  }
  return false;
}

/** True for what class-transformer copies unchanged (no target type, no implicit conversion). */
function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The instance `slow` would return for `body`, or null when `slow` must decide. */
function accept(plan: Plan, body: Record<string, unknown>): unknown {
  for (const key of Object.keys(body)) {
    if (!plan.declared.has(key)) continue;
    const v = body[key];
    if (!isPrimitive(v) && !(Array.isArray(v) && v.every(isPrimitive))) return null;
  }
  for (const p of plan.properties) {
    const value = body[p.name];
    if (p.optional && (value === null || value === undefined)) continue;
    for (const rule of p.rules) {
      const args: ValidationArguments = {
        targetName: plan.type.name,
        property: p.name,
        object: body,
        value,
        constraints: rule.constraints,
      };
      const ok =
        rule.each && Array.isArray(value)
          ? value.every((item) => rule.validate(item, args) === true)
          : rule.validate(value, args) === true;
      if (!ok) return null;
    }
  }
  const out = new plan.type() as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!plan.declared.has(key)) continue;
    const v = body[key];
    out[key] = Array.isArray(v) ? (v as unknown[]).slice() : v;
  }
  return out;
}
