"""Adaptive batching, as Triton's dynamic batcher and MLServer's adaptive batching do:
requests that arrive together are joined into one batch of at most ``max_batch`` rows or
instances, waiting at most ``max_wait`` seconds after the first for others, predicted by
one call of the model and split back into one answer per request.

Models here answer each row on its own (a row's answer does not depend on the rows beside
it), so a joined answer is the unbatched one. When the model refuses a joined batch, each
request is predicted alone, so one bad request gets its own 422 and the others their
answers. ``max_batch`` of 1 turns batching off (the default: ``$STRATUM_MAX_BATCH``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .answers import Answer
from .inputs import Frame
from .readers import Tensors


def join(batches: Sequence[Frame | Tensors]) -> Frame | Tensors:
    """One batch of the rows or instances of ``batches``, in order."""
    import numpy as np

    first = batches[0]
    total = sum(b.n_rows for b in batches)
    if isinstance(first, Frame):
        columns = {name: [v for b in batches for v in b.columns[name]]  # type: ignore[union-attr]
                   for name in first.columns}
        return Frame(first.features, columns, total)
    return Tensors({name: np.concatenate([b.arrays[name] for b in batches])  # type: ignore[union-attr]
                    for name in first.arrays}, total)


def split(answer: Answer, sizes: Sequence[int]) -> list[Answer]:
    """A joined answer cut back into one answer per batch of ``sizes`` rows."""
    parts, start = [], 0
    for size in sizes:
        end = start + size
        parts.append(Answer(answer.predictions[start:end],
                            None if answer.probabilities is None
                            else answer.probabilities[start:end],
                            {k: v[start:end] for k, v in answer.outputs.items()}))
        start = end
    return parts


@dataclass
class _Waiting:
    batch: Frame | Tensors
    future: asyncio.Future[Answer] = field(repr=False)


class Batcher:
    """Joins concurrent requests: ``await submit(batch) -> Answer`` (or the exception the
    model raised for that request's rows alone). ``predict_one(batch)`` predicts a batch
    (a request's own, or a joined one) and raises for input the model refuses; it runs on
    ``run_in_thread`` (``anyio.to_thread.run_sync`` with the service's thread limit);
    ``observe(n)`` hears how many requests each model call answered."""

    def __init__(self, predict_one: Callable[[Any], Answer], max_batch: int,
                 max_wait: float, run_in_thread: Callable[..., Any], workers: int = 1,
                 observe: Callable[[int], None] | None = None):
        self.predict_one, self.max_batch, self.max_wait = predict_one, max_batch, max_wait
        self.run_in_thread, self.workers = run_in_thread, max(1, workers)
        self.observe = observe or (lambda n: None)
        self.queue: asyncio.Queue[_Waiting] | None = None
        self.held: deque[_Waiting] = deque()  # requests that did not fit a batch: first next
        self.busy = 0  # model calls running now
        self.last_joined = 1  # requests the last model call answered

    def crowded(self) -> bool:
        """Whether other requests are likely to arrive soon: worth waiting for."""
        return self.busy > 0 or self.last_joined > 1

    async def submit(self, batch: Frame | Tensors) -> Answer:
        if self.queue is None:  # made on the server's event loop, with the first request
            self.queue = asyncio.Queue()
            for _ in range(self.workers):
                asyncio.get_running_loop().create_task(self._work())
        waiting = _Waiting(batch, asyncio.get_running_loop().create_future())
        await self.queue.put(waiting)
        return await waiting.future

    async def _gather(self) -> list[_Waiting]:
        """The next batch: the request held back, or the next one queued, then every request
        queued and, when :meth:`crowded`, every one that arrives within ``max_wait``, while
        the batch has room."""
        assert self.queue is not None
        loop = asyncio.get_running_loop()
        first = self.held.popleft() if self.held else await self.queue.get()
        items, rows = [first], first.batch.n_rows
        deadline = loop.time() + (self.max_wait if self.crowded() else 0.0)
        while rows < self.max_batch:
            try:
                item = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                left = deadline - loop.time()
                if left <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self.queue.get(), left)
                except asyncio.TimeoutError:
                    break
            if rows + item.batch.n_rows > self.max_batch:
                self.held.append(item)
                break
            items.append(item)
            rows += item.batch.n_rows
        return items

    async def _work(self) -> None:
        while True:
            items = await self._gather()
            self.busy += 1
            try:
                results = await self.run_in_thread(self._predict, [i.batch for i in items])
            except Exception as exc:  # noqa: BLE001 - every waiting request hears it
                results = [exc] * len(items)
            except BaseException:  # cancelled at shutdown: so are the requests waiting
                for item in items:
                    item.future.cancel()
                raise
            finally:
                self.busy -= 1
            self.last_joined = len(items)
            self.observe(len(items))
            self._settle(items, results)

    @staticmethod
    def _settle(items: list[_Waiting], results: list[Any]) -> None:
        for item, result in zip(items, results, strict=True):
            if item.future.done():  # the client left
                continue
            if isinstance(result, BaseException):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)

    def _predict(self, batches: list[Frame | Tensors]) -> list[Answer | BaseException]:
        if len(batches) > 1:
            try:
                return list(split(self.predict_one(join(batches)),
                                  [b.n_rows for b in batches]))
            except Exception:  # noqa: BLE001 - then each alone, for its own answer or error
                pass
        results: list[Answer | BaseException] = []
        for batch in batches:
            try:
                results.append(self.predict_one(batch))
            except Exception as exc:  # noqa: BLE001 - handed to the request it belongs to
                results.append(exc)
        return results
