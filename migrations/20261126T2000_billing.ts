import type { Kysely } from 'kysely';

// Stripe billing: which Stripe customer is which person, which webhook events took effect (each once), and on a
// membership the subscription it mirrors and whether its current period is a free trial.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('billing_customers')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('customer_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('memberships').addColumn('subscription_id', 'text').execute();
  await db.schema
    .alterTable('memberships')
    .addColumn('in_trial', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Why a card-collected trial was refused (its card or address had one before), shown on the billing page.
  await db.schema.alterTable('memberships').addColumn('notice', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').dropColumn('notice').execute();
  await db.schema.alterTable('memberships').dropColumn('in_trial').execute();
  await db.schema.alterTable('memberships').dropColumn('subscription_id').execute();
  await db.schema.dropTable('billing_events').ifExists().execute();
  await db.schema.dropTable('billing_customers').ifExists().execute();
}
