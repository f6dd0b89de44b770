import { describeBudgetStoreContract } from './support/budget-store-contract.js';
import { describeLedgerStoreContract } from './support/ledger-store-contract.js';
import { sqliteBudgetStoreKind, sqliteLedgerStoreKind } from './support/store-kinds.js';

describeBudgetStoreContract(sqliteBudgetStoreKind());
describeLedgerStoreContract(sqliteLedgerStoreKind());
