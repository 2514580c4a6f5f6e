import {
  QueryFailedError,
  type DataSource,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type ObjectLiteral,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * Constant SQL for the request hot paths (issue 11, docs/benchmarks.md): the statement goes straight to
 * the driver TypeORM already holds (mysql2's pool, better-sqlite3's connection), without TypeORM's query
 * building, parameter escaping and entity hydration, which cost 100–200 µs per statement (the largest
 * layer of every profiled request). Rows are still converted column by column with TypeORM's own
 * `prepareHydratedValue` (transformers, booleans, dates), from the entity metadata, so the result is
 * what a `find` would return.
 *
 * The SQL must be portable between MariaDB and SQLite (both accept backtick-quoted identifiers and `?`
 * placeholders). Parameters are strings, numbers or null. On MariaDB the statement goes through
 * `pool.query` (text protocol), so it keeps the pool's fail-fast bounds (acquire timeout, statement
 * timeout, bounded queue: src/database/fail-fast.ts), which mysql2's prepared `execute` would not.
 * Errors are {@link QueryFailedError}s, like TypeORM's. Not for statements inside a transaction: those
 * run on the transaction's connection, through its EntityManager.
 */
export class HotSql {
  private readonly mysql: boolean;
  /** better-sqlite3 statements, prepared once per SQL text. */
  private readonly statements = new Map<string, SqliteStatement>();

  private constructor(private readonly dataSource: DataSource) {
    this.mysql = dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
  }

  private static readonly instances = new WeakMap<DataSource, HotSql>();

  /** The instance of `dataSource` (one per data source, so its statement cache is shared). */
  static of(dataSource: DataSource): HotSql {
    let hot = HotSql.instances.get(dataSource);
    if (!hot) {
      hot = new HotSql(dataSource);
      HotSql.instances.set(dataSource, hot);
    }
    return hot;
  }

  /** Runs a SELECT; returns its rows as the driver gives them (column names as aliased in `sql`). */
  async rows(sql: string, params: readonly SqlParam[]): Promise<Record<string, unknown>[]> {
    // Through TypeORM's logger like its own statements (DB_LOGGING; it checks its options itself).
    this.dataSource.logger.logQuery(sql, params as unknown[]);
    if (this.mysql) return (await this.mysqlQuery(sql, params)) as Record<string, unknown>[];
    try {
      return this.sqlite(sql).all(...params) as Record<string, unknown>[];
    } catch (e) {
      throw new QueryFailedError(sql, params as unknown[], e as Error);
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
  async run(sql: string, params: readonly SqlParam[]): Promise<number> {
    this.dataSource.logger.logQuery(sql, params as unknown[]);
    if (this.mysql) {
      const res = (await this.mysqlQuery(sql, params)) as { affectedRows?: number };
      return res.affectedRows ?? 0;
    }
    try {
      return this.sqlite(sql).run(...params).changes;
    } catch (e) {
      throw new QueryFailedError(sql, params as unknown[], e as Error);
    }
  }

  private mysqlQuery(sql: string, params: readonly SqlParam[]): Promise<unknown> {
    const pool = (this.dataSource.driver as unknown as { pool?: MysqlPool }).pool;
    if (!pool) return Promise.reject(new Error('HotSql: the MySQL pool is not open'));
    return new Promise((resolve, reject) => {
      pool.query(sql, params, (err, result) => {
        if (err) reject(new QueryFailedError(sql, params as unknown[], err));
        else resolve(result);
      });
    });
  }

  private sqlite(sql: string): SqliteStatement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
        .databaseConnection;
      stmt = db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

/** A bound parameter of {@link HotSql} (no booleans or dates: SQLite would refuse them). */
export type SqlParam = string | number | null;

/**
 * Reads rows of one entity selected with {@link EntityColumns.select}: the select list (each column as
 * `<prefix><database name>`, computed once) and the row-to-entity mapping through the driver's
 * `prepareHydratedValue`, as TypeORM hydrates them.
 */
export class EntityColumns<T extends ObjectLiteral> {
  /** The select list, e.g. `` c.`id` AS `c_id`, c.`scope` AS `c_scope` ``. */
  readonly select: string;
  /** Per column: its result key, property, and how its raw value becomes the property's value. */
  private readonly readers: ColumnReader[];
  private readonly primaryKeys: string[];

  /**
   * @param alias the table alias used in the SQL, also the prefix of the column aliases (`alias_`)
   * @param hidden `select: false` columns to read anyway (by property name), e.g. a hash
   */
  constructor(
    dataSource: DataSource,
    entity: EntityTarget<T>,
    alias: string,
    hidden: readonly string[] = [],
  ) {
    const metadata: EntityMetadata = dataSource.getMetadata(entity);
    const driver = dataSource.driver;
    const columns = metadata.columns.filter((c) => c.isSelect || hidden.includes(c.propertyName));
    this.select = columns
      .map((c) => `${alias}.\`${c.databaseName}\` AS \`${alias}_${c.databaseName}\``)
      .join(', ');
    this.readers = columns.map((c) => ({
      key: `${alias}_${c.databaseName}`,
      property: c.propertyName,
      convert: converter(driver, c),
    }));
    this.primaryKeys = columns.filter((c) => c.isPrimary).map((c) => `${alias}_${c.databaseName}`);
  }

  /** The entity of `row`, or null when its primary key is NULL (no match of a LEFT JOIN). */
  map(row: Record<string, unknown>): T | null {
    for (const k of this.primaryKeys) if (row[k] === null || row[k] === undefined) return null;
    const out: Record<string, unknown> = {};
    for (const r of this.readers) out[r.property] = r.convert(row[r.key]);
    return out as T;
  }
}

interface ColumnReader {
  key: string;
  property: string;
  convert: (raw: unknown) => unknown;
}

/**
 * Column types whose raw value the drivers hand over unchanged (TypeORM's `prepareHydratedValue`
 * only applies the transformer to them): read without the driver's type switch.
 */
const PLAIN_TYPES = new Set<unknown>(['varchar', 'text', 'bigint', 'int', 'integer', String]);

/** How one column's raw value is hydrated, as TypeORM's driver does it (transformer included). */
function converter(driver: DataSource['driver'], c: ColumnMetadata): (raw: unknown) => unknown {
  const transformer = c.transformer;
  if (PLAIN_TYPES.has(c.type) && !Array.isArray(transformer)) {
    if (!transformer) return (raw) => raw;
    return (raw) => transformer.from(raw) as unknown;
  }
  return (raw) => driver.prepareHydratedValue(raw, c) as unknown;
}

interface MysqlPool {
  query(
    sql: string,
    values: readonly SqlParam[],
    cb: (err: Error | null, result?: unknown) => void,
  ): void;
}

interface SqliteStatement {
  all(...params: readonly SqlParam[]): unknown[];
  run(...params: readonly SqlParam[]): { changes: number };
}

interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

/** INSERT statements of {@link insertRow}, per table and column set. */
const insertSql = new Map<string, string>();

/**
 * One INSERT of `values` (properties of `entity`) as constant SQL through `manager` (its transaction,
 * when it has one), without TypeORM's insert building: each given column's value is converted by the
 * driver's `preparePersistentValue` (transformers, booleans, dates), as TypeORM's insert does; omitted
 * columns take their default, a version column 1. Nothing is read back.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  values: Partial<T>,
): Promise<void> {
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const names: string[] = [];
  const params: unknown[] = [];
  for (const c of metadata.columns) {
    let v = (values as Record<string, unknown>)[c.propertyName];
    if (v === undefined && c.isVersion) v = 1;
    if (v === undefined) continue;
    names.push(c.databaseName);
    params.push(driver.preparePersistentValue(v, c));
  }
  const key = `${metadata.tableName}\u0000${names.join('\u0000')}`;
  let sql = insertSql.get(key);
  if (!sql) {
    sql =
      `INSERT INTO \`${metadata.tableName}\` (${names.map((n) => `\`${n}\``).join(', ')}) ` +
      `VALUES (${names.map(() => '?').join(', ')})`;
    insertSql.set(key, sql);
  }
  await manager.query(sql, params);
}

/**
 * Runs an INSERT, UPDATE or DELETE through `manager`'s query runner (the transaction's connection) and
 * returns the number of rows it changed, as TypeORM's `execute()` reports `affected` on both drivers.
 */
export async function runInTransaction(
  manager: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<number> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('runInTransaction needs the EntityManager of a transaction');
  const res = (await runner.query(sql, params as unknown[], true)) as { affected?: number };
  return res.affected ?? 0;
}
