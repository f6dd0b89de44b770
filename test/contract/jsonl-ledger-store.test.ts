import { describeLedgerStoreContract } from './support/ledger-store-contract.js';
import { jsonlLedgerStoreKind } from './support/store-kinds.js';

describeLedgerStoreContract(jsonlLedgerStoreKind());
