import { describeBudgetStoreContract } from './support/budget-store-contract.js';
import { describeLedgerStoreContract } from './support/ledger-store-contract.js';
import { postgresBudgetStoreKind, postgresLedgerStoreKind } from './support/store-kinds.js';

// Each run of the agreement property opens a fresh schema (its migration included): fewer runs.
describeBudgetStoreContract(postgresBudgetStoreKind(), { agreementRuns: 30 });
describeLedgerStoreContract(postgresLedgerStoreKind());
// Behind a pooler that cannot keep prepared statements (`preparedStatements: false`), the same.
describeBudgetStoreContract(postgresBudgetStoreKind('unprepared'), { agreementRuns: 10 });
describeLedgerStoreContract(postgresLedgerStoreKind('unprepared'));
