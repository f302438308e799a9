"""Property-based tests of the domain: any sequence of operations keeps the invariants."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.model import Processing
from fake_server.domain.uploads import UploadedFile
from fake_server.domain.views import FileStatus

FINISHED = {FileStatus.COMPLETED, FileStatus.FAILED, FileStatus.CANCELLED}


class BatchLifecycle(RuleBasedStateMachine):
    """Uploads with random timings and outcomes; batches created, read, cancelled over time."""

    @initialize(
        timings=st.lists(
            st.tuples(
                st.floats(min_value=0, max_value=100, allow_nan=False),
                st.sampled_from([FileStatus.COMPLETED, FileStatus.FAILED]),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def start(self, timings: list[tuple[float, FileStatus]]) -> None:
        self.clock = VirtualClock(0)
        uploads = [
            UploadedFile(f"file-{i}", f"{i}.txt", 10, 0, "assistants", Processing(seconds, outcome))
            for i, (seconds, outcome) in enumerate(timings)
        ]
        self.account = Account(self.clock, uploads=uploads)
        self.vector_store = self.account.create_vector_store("props").id
        self.upload_ids = [upload.id for upload in uploads]
        self.batches: list[str] = []
        # The last status seen of every (batch, file): finished ones must never change.
        self.seen: dict[tuple[str, str], FileStatus] = {}

    @rule(data=st.data())
    def create_batch(self, data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(st.sampled_from(self.upload_ids), min_size=1, unique=True), label="files"
        )
        view = self.account.create_batch(self.vector_store, chosen)
        assert view.counts.in_progress == view.counts.total == len(chosen)
        self.batches.append(view.id)

    @rule(seconds=st.floats(min_value=0, max_value=60, allow_nan=False))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from(self.batches), label="batch")
        before = self.account.get_batch(self.vector_store, batch_id).value
        after = self.account.cancel_batch(self.vector_store, batch_id).value
        assert after.counts.in_progress == 0
        assert after.counts.cancelled == before.counts.cancelled + before.counts.in_progress
        assert after.counts.completed == before.counts.completed
        assert after.counts.failed == before.counts.failed
        if before.status is not FileStatus.IN_PROGRESS:
            assert after == before, "a finished batch comes back unchanged"

    @invariant()
    def counts_add_up_and_finished_files_never_change(self) -> None:
        for batch_id in self.batches:
            view = self.account.get_batch(self.vector_store, batch_id).value
            counts = view.counts
            assert min(counts.in_progress, counts.completed, counts.failed, counts.cancelled) >= 0
            assert counts.total == (
                counts.in_progress + counts.completed + counts.failed + counts.cancelled
            )
            files = self.account.batch_files(self.vector_store, batch_id).value.views
            assert len(files) == counts.total
            for file in files:
                previous = self.seen.get((batch_id, file.id))
                if previous in FINISHED:
                    assert file.status is previous, f"{file.id} went {previous} -> {file.status}"
                self.seen[(batch_id, file.id)] = file.status
        store = self.account.get_vector_store(self.vector_store)
        assert store.counts.total == len({file_id for _, file_id in self.seen})


BatchLifecycle.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None, derandomize=True
)
TestBatchLifecycle = BatchLifecycle.TestCase
