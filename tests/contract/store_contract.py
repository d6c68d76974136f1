"""The store contract: every promise of ``services.ports``, for every store.

A store's test module subclasses ``StoreContract`` and provides a ``store`` fixture giving an
empty store; nothing here knows which store it talks to.
"""

from __future__ import annotations

from tests.contract.adviser_edits_contract import AdviserEditsContract
from tests.contract.allocations_contract import AllocationContract
from tests.contract.concurrency_contract import ConcurrencyContract
from tests.contract.edits_contract import EditContract
from tests.contract.folders_contract import FoldersContract
from tests.contract.history_contract import HistoryContract
from tests.contract.outbox_contract import OutboxContract
from tests.contract.reference_contract import ReferenceDataContract
from tests.contract.rejections_contract import RejectionContract
from tests.contract.trends_contract import TrendsContract
from tests.contract.unreadable_contract import UnreadableRowsContract
from tests.contract.version_contract import DataVersionContract


class StoreContract(
    ReferenceDataContract,
    EditContract,
    AllocationContract,
    RejectionContract,
    OutboxContract,
    HistoryContract,
    DataVersionContract,
    ConcurrencyContract,
    UnreadableRowsContract,
    AdviserEditsContract,
    TrendsContract,
    FoldersContract,
):
    """Subclass as ``TestXStore`` with a ``store`` fixture returning an empty store, and a
    ``plant`` fixture writing a raw row (``tests.contract.unreadable_contract``)."""
