import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** True when the migration runs on MySQL / MariaDB. */
export function isMysql(qr: QueryRunner): boolean {
  return qr.connection.options.type === 'mysql' || qr.connection.options.type === 'mariadb';
}

/**
 * `created_at` / `updated_at` (and optionally `deleted_at`) exactly as TypeORM's date decorators map them
 * per dialect, so that `migration:generate --check` finds no drift on either database.
 */
export function timestampColumns(qr: QueryRunner, withDeletedAt = false): TableColumnOptions[] {
  const mysql = isMysql(qr);
  const type = 'datetime';
  const precision = mysql ? 6 : undefined;
  const now = mysql ? 'CURRENT_TIMESTAMP(6)' : "datetime('now')";
  const cols: TableColumnOptions[] = [
    { name: 'created_at', type, precision, default: now },
    {
      name: 'updated_at',
      type,
      precision,
      default: now,
      ...(mysql ? { onUpdate: 'CURRENT_TIMESTAMP(6)' } : {}),
    },
  ];
  if (withDeletedAt) cols.push({ name: 'deleted_at', type, precision, isNullable: true });
  return cols;
}

/** The integer type TypeORM maps `@VersionColumn` / `number` columns to on this dialect. */
export function intType(qr: QueryRunner): string {
  return isMysql(qr) ? 'int' : 'integer';
}

/** A nullable DATETIME column of the dialect's precision. */
export function datetimeColumn(qr: QueryRunner, name: string, nullable = true): TableColumnOptions {
  return { name, type: 'datetime', precision: isMysql(qr) ? 6 : undefined, isNullable: nullable };
}
