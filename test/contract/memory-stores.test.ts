import { describeBudgetStoreContract } from './support/budget-store-contract.js';
import { describeLedgerStoreContract } from './support/ledger-store-contract.js';
import { memoryBudgetStoreKind, memoryLedgerStoreKind } from './support/store-kinds.js';

describeBudgetStoreContract(memoryBudgetStoreKind());
describeLedgerStoreContract(memoryLedgerStoreKind());
